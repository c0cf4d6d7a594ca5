import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, ApplyRule, EventDef, TypeRef, ValueExpr } from '../ir/types.js';
import { envelopeField, metadataRow } from '../ops/envelope-fields.js';
import { typeAggregate } from '../typed/typed-aggregate.js';
import type { CheckContext } from './check-context.js';
import { checkFit } from './check-fit.js';
import { acceptsNull, constantMismatch, enumValues, isNumeric } from './type-rules.js';

/** Aggregate state is built when an event is raised and again on every reload: only values known at raise time. */
function readableInApply(expr: ValueExpr): boolean {
  if (expr.kind === 'metadata') return metadataRow.inApply;
  if (expr.kind === 'envelope') return envelopeField(expr.field).inApply;
  return true;
}

/** Declarative upcasts turn version N into exactly N+1; `apply` rules target real state fields with fitting values. */
export function checkEvents(ctx: CheckContext): void {
  for (const aggregate of ctx.aggregates) {
    for (const event of aggregate.events) {
      checkUpcasts(ctx, aggregate, event);
      checkApply(ctx, aggregate, event);
      checkPublish(ctx, aggregate, event);
      checkHandlerFlag(ctx, event);
    }
  }
}

/** `publish:` on an event that says what its aggregate already says: harmless, so a warning. */
function checkPublish(ctx: CheckContext, aggregate: AggregateDef, event: EventDef): void {
  if (event.publish === undefined || event.publish !== aggregate.publish) return;
  ctx.report({
    code: 'ESG163',
    severity: 'warning',
    node: event,
    below: ['publish'],
    part: 'key',
    message: `\`${event.name}\` says \`publish: ${event.publish}\`, which \`${aggregate.name}\` already says for all its events (\`publish: ${aggregate.publish}\`)`,
    hint: event.publish
      ? 'remove `publish: true` from the event; to keep it internal write `publish: false`'
      : 'remove `publish: false` from the event; to publish it write `publish: true`',
  });
}

/** `handler: true` without `apply` rules says nothing: such an event's handler is the only applier anyway. */
function checkHandlerFlag(ctx: CheckContext, event: EventDef): void {
  if (event.handler !== true || event.apply !== undefined) return;
  ctx.report({
    code: 'ESG167',
    severity: 'warning',
    node: event,
    below: ['handler'],
    part: 'key',
    message: `\`${event.name}\` says \`handler: true\` but has no \`apply\` rules: its handler \`on${event.name}\` is written in TypeScript anyway`,
    hint: '`handler: true` runs the handler after the `apply` rules; remove it, or add the rules it should follow',
  });
}

function checkUpcasts(ctx: CheckContext, aggregate: AggregateDef, event: EventDef): void {
  const typed = typeAggregate(aggregate);
  for (const version of event.versions) {
    if (version.upcast?.kind !== 'declarative' || version.version === event.version) continue;
    // Into a retired version: ESG179 already says the retired version is not among the oldest.
    if (event.versions[version.version]?.retired) continue;
    for (const problem of typed.upcast(version.upcast).problems) ctx.report(problem);
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
    // Where the value is written: under its operation in the long form, the rule itself in the short one.
    const below = rule.op ? [rule.op] : ctx.written(rule, ['set']) ? ['set'] : [];
    let into: { type: TypeRef; optional: boolean } = target;
    let targetName = `\`${rule.target}\``;
    if (rule.entry || rule.op === 'remove') {
      if (!rule.entry) {
        ctx.report({ code: 'ESG192', node: rule, below, part: 'key', message: `\`remove\` deletes one map entry, but the rule on \`${rule.target}\` names no \`entry\``, hint: 'write `{ entry: event.<key>, remove: true }` on a `map<T>` field; to clear an optional field write `null`' });
        continue;
      }
      if (target.type.kind !== 'map') {
        ctx.report({
          code: 'ESG192',
          node: rule,
          below: ['entry'],
          part: 'key',
          message: `\`entry\` changes one entry of a map, but \`${rule.target}\` is ${formatType(target.type)}`,
          hint: `declare \`${rule.target}\` as \`map<T>\`, or drop \`entry\` to change the whole field`,
        });
        continue;
      }
      checkEntryKey(ctx, aggregate, event, rule);
      if (rule.op === 'remove') continue;
      into = { type: target.type.value, optional: false };
      targetName = `an entry of \`${rule.target}\``;
    }
    if (rule.op === 'add' || rule.op === 'subtract') {
      if (!isNumeric(into.type)) {
        ctx.report({
          code: 'ESG193',
          node: rule,
          below,
          part: 'key',
          message: `\`${rule.op}\` needs a number, but ${targetName} is ${formatType(into.type)}`,
          hint: 'add to an `integer` or `number` field (or a `map<integer>` / `map<number>` entry), or `set` the value',
        });
        continue;
      }
      // An absent operand changes nothing (as in read models), so it may be optional.
      into = { type: into.type, optional: true };
    }
    const resolved = typeAggregate(aggregate).value(rule);
    if (resolved === undefined) continue;
    if (resolved.kind === 'unresolved') {
      ctx.report({ code: 'ESG137', node: rule, below, message: resolved.message, hint: resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, 'fields') : resolved.hint });
      continue;
    }
    if (resolved.kind === 'read' && !readableInApply(resolved.expr)) {
      reportNotInApply(ctx, event, rule, resolved.expr, below);
      continue;
    }
    if (resolved.kind === 'constant') {
      const value = resolved.value;
      if (value === null) {
        if (!into.optional && !acceptsNull(into.type)) ctx.report({ code: 'ESG144', node: rule, below, message: `${targetName} is not optional, so it cannot be set to null`, hint: 'make the state field optional (`T?`)' });
        continue;
      }
      const problem = constantMismatch(aggregate, value, into.type);
      if (problem) {
        const values = enumValues(aggregate, into.type);
        ctx.report({
          code: 'ESG143',
          node: rule,
          below,
          message: `the value for ${targetName} does not fit its type ${formatType(into.type)}: ${problem}`,
          hint: values && typeof value === 'string' ? suggestion(value, values, 'values') : typeof value === 'string' && value.includes('.') ? 'to read from the event write `event.<field>`' : undefined,
        });
      }
      continue;
    }
    checkFit(ctx, aggregate, rule, resolved, into, targetName, below);
  }
}

function reportNotInApply(ctx: CheckContext, event: EventDef, rule: ApplyRule, expr: ValueExpr, below: string[]): void {
  const name = expr.kind === 'metadata' ? `$metadata.${expr.key}` : `$${expr.kind === 'envelope' ? expr.field : ''}`;
  ctx.report({
    code: 'ESG160',
    node: rule,
    below,
    message: `\`apply\` of \`${event.name}\` reads \`${name}\`, which is given when the aggregate is saved, not when the event is raised: the state would differ between the saved aggregate and a reload`,
    hint: `put the value in the payload (a field of \`${event.name}\`) and read it as \`event.<field>\`; read models may read \`${name}\``,
  });
}

/** A map key: a required string-like value known when the event is raised (JSON object keys are strings). */
function checkEntryKey(ctx: CheckContext, aggregate: AggregateDef, event: EventDef, rule: ApplyRule): void {
  const key = typeAggregate(aggregate).entryKey(rule);
  if (key === undefined) return;
  if (key.kind === 'unresolved') {
    ctx.report({ code: 'ESG137', node: rule, below: ['entry'], message: key.message, hint: key.candidates ? suggestion(key.word ?? '', key.candidates, 'fields') : key.hint });
    return;
  }
  if (key.kind === 'read' && !readableInApply(key.expr)) {
    reportNotInApply(ctx, event, rule, key.expr, ['entry']);
    return;
  }
  const hint = 'read the key from a required string field of the payload (`entry: event.sku`: string, uuid, date or a string enum) or use `$aggregateId`';
  if (key.kind !== 'read' || key.type === 'unchecked') {
    ctx.report({ code: 'ESG194', node: rule, below: ['entry'], message: 'the entry key has no declared type (metadata is not checked), so it may not be a string', hint });
    return;
  }
  if (!isStringLike(aggregate, key.type)) {
    ctx.report({ code: 'ESG194', node: rule, below: ['entry'], message: `the entry key is ${formatType(key.type)}, but map keys are strings`, hint });
    return;
  }
  if (key.optional) ctx.report({ code: 'ESG194', node: rule, below: ['entry'], message: 'the entry key may be absent, so the rule would not know which entry to change', hint });
}

function isStringLike(aggregate: AggregateDef, type: TypeRef): boolean {
  if (type.kind === 'primitive') return type.name === 'string' || type.name === 'uuid' || type.name === 'date';
  return enumValues(aggregate, type) !== undefined;
}
