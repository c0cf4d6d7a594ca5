import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, EventDef, FieldDef, TypeRef } from '../ir/types.js';
import type { CheckContext } from './check-context.js';
import { checkFit } from './check-fit.js';
import { constantMismatch, enumValues, sameType, valueExprType } from './type-rules.js';

/** Declarative upcasts turn version N into exactly N+1; `apply` rules target real state fields with fitting values. */
export function checkEvents(ctx: CheckContext): void {
  for (const aggregate of ctx.aggregates) {
    for (const event of aggregate.events) {
      checkUpcasts(ctx, aggregate, event);
      checkApply(ctx, aggregate, event);
    }
  }
}

function checkUpcasts(ctx: CheckContext, aggregate: AggregateDef, event: EventDef): void {
  for (const [index, version] of event.versions.entries()) {
    const next = event.versions[index + 1];
    const step = version.upcast;
    if (!next || step?.kind !== 'declarative') continue;
    const from = version.version;
    const to = next.version;
    // Simulate the ops on the set of fields of version N.
    const fields = new Map<string, { type: TypeRef; optional: boolean }>(version.fields.map((f) => [f.name, { type: f.type, optional: f.optional }]));
    const target = new Map<string, FieldDef>(next.fields.map((f) => [f.name, f]));
    const added = new Set<string>();
    // After an op that refers to a missing field, comparing with N+1 would only repeat it.
    let opFailed = false;
    for (const op of step.ops) {
      if (op.kind === 'rename') {
        const field = fields.get(op.from);
        if (!field) {
          opFailed = true;
          ctx.report({ code: 'ESG157', node: op, part: 'key', message: `the upcast from version ${from} renames \`${op.from}\`, which version ${from} of \`${event.name}\` does not have`, hint: suggestion(op.from, [...fields.keys()], 'fields') });
          continue;
        }
        if (fields.has(op.to)) {
          ctx.report({ code: 'ESG142', node: op, message: `the upcast from version ${from} renames \`${op.from}\` to \`${op.to}\`, but \`${op.to}\` already exists`, hint: 'remove the existing field first' });
          continue;
        }
        fields.delete(op.from);
        fields.set(op.to, field);
      } else if (op.kind === 'remove') {
        if (!fields.delete(op.field)) {
          opFailed = true;
          ctx.report({ code: 'ESG157', node: op, message: `the upcast from version ${from} removes \`${op.field}\`, which version ${from} of \`${event.name}\` does not have (after renames)`, hint: suggestion(op.field, [...fields.keys()], 'fields') });
        }
      } else {
        const wanted = target.get(op.field);
        if (fields.has(op.field)) {
          ctx.report({ code: 'ESG142', node: op, part: 'key', message: `the upcast from version ${from} adds \`${op.field}\`, which version ${from} already has`, hint: 'rename or remove the old field first' });
          continue;
        }
        if (!wanted) {
          ctx.report({ code: 'ESG142', node: op, part: 'key', message: `the upcast from version ${from} adds \`${op.field}\`, which version ${to} of \`${event.name}\` does not have`, hint: suggestion(op.field, [...target.keys()], 'fields of the next version') });
          continue;
        }
        added.add(op.field);
        fields.set(op.field, { type: wanted.type, optional: wanted.optional });
        const problem = op.value === null ? (wanted.optional ? undefined : `null, but \`${op.field}\` is required`) : constantMismatch(aggregate, op.value, wanted.type);
        if (problem) {
          const values = enumValues(aggregate, wanted.type);
          ctx.report({ code: 'ESG143', node: op, message: `the value added for \`${op.field}\` does not fit ${formatType(wanted.type)}: ${problem}`, hint: values && typeof op.value === 'string' ? suggestion(op.value, values, 'values') : undefined });
        }
      }
    }
    if (opFailed) continue;
    for (const [name, wanted] of target) {
      const have = fields.get(name);
      if (!have) {
        if (!wanted.optional) {
          ctx.report({ code: 'ESG142', node: step, message: `version ${to} of \`${event.name}\` requires \`${name}\`, but the upcast from version ${from} does not produce it`, hint: `add \`add: { ${name}: <value> }\` or \`rename: { <old>: ${name} }\`, or use \`upcast: custom\`` });
        }
        continue;
      }
      if (added.has(name)) continue;
      if (!sameType(have.type, wanted.type)) {
        ctx.report({ code: 'ESG142', node: step, message: `\`${name}\` is ${formatType(have.type)} in version ${from} but ${formatType(wanted.type)} in version ${to}; a declarative upcast cannot convert it`, hint: 'use `upcast: custom` to convert the value' });
      } else if (have.optional && !wanted.optional) {
        ctx.report({ code: 'ESG142', node: step, message: `\`${name}\` may be absent in version ${from} but is required in version ${to}`, hint: 'use `upcast: custom` to fill it in, or keep it optional' });
      }
    }
    for (const name of fields.keys()) {
      if (!target.has(name)) {
        ctx.report({ code: 'ESG142', node: step, message: `the upcast from version ${from} keeps \`${name}\`, which version ${to} of \`${event.name}\` does not have`, hint: `add \`remove: [${name}]\` or a \`rename\`` });
      }
    }
  }
}

function checkApply(ctx: CheckContext, aggregate: AggregateDef, event: EventDef): void {
  for (const rule of event.apply ?? []) {
    const target = aggregate.state.find((f) => f.name === rule.target);
    if (!target) {
      ctx.report({
        code: 'ESG138',
        node: rule,
        part: 'key',
        message: `\`${rule.target}\` is not a field of the state of \`${aggregate.name}\``,
        hint: suggestion(rule.target, aggregate.state.map((f) => f.name), 'state fields') ?? 'declare it under `state:`',
      });
      continue;
    }
    const resolved = valueExprType(aggregate, event, rule.value);
    if (!resolved.ok) {
      ctx.report({ code: 'ESG137', node: rule, message: resolved.message, hint: resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, 'fields') : resolved.hint });
      continue;
    }
    if ('constant' in resolved) {
      const value = resolved.constant;
      if (value === null) {
        if (!target.optional) ctx.report({ code: 'ESG144', node: rule, message: `\`${rule.target}\` is not optional, so it cannot be set to null`, hint: 'make the state field optional (`T?`)' });
        continue;
      }
      const problem = constantMismatch(aggregate, value, target.type);
      if (problem) {
        const values = enumValues(aggregate, target.type);
        ctx.report({
          code: 'ESG143',
          node: rule,
          message: `the value for \`${rule.target}\` does not fit its type ${formatType(target.type)}: ${problem}`,
          hint: values && typeof value === 'string' ? suggestion(value, values, 'values') : typeof value === 'string' && value.includes('.') ? 'to read from the event write `event.<field>`' : undefined,
        });
      }
      continue;
    }
    checkFit(ctx, aggregate, rule, resolved.value, target, `\`${rule.target}\``);
  }
}
