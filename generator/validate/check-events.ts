import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, EventDef, ValueExpr } from '../ir/types.js';
import { envelopeField, metadataRow } from '../ops/envelope-fields.js';
import { typeAggregate } from '../typed/typed-aggregate.js';
import type { CheckContext } from './check-context.js';
import { checkFit } from './check-fit.js';
import { acceptsNull, constantMismatch, enumValues } from './type-rules.js';

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
    const resolved = typeAggregate(aggregate).value(rule);
    if (resolved === undefined) continue;
    if (resolved.kind === 'unresolved') {
      ctx.report({ code: 'ESG137', node: rule, message: resolved.message, hint: resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, 'fields') : resolved.hint });
      continue;
    }
    if (resolved.kind === 'read' && !readableInApply(resolved.expr)) {
      const name = resolved.expr.kind === 'metadata' ? `$metadata.${resolved.expr.key}` : `$${resolved.expr.kind === 'envelope' ? resolved.expr.field : ''}`;
      ctx.report({
        code: 'ESG160',
        node: rule,
        message: `\`apply\` of \`${event.name}\` reads \`${name}\`, which is given when the aggregate is saved, not when the event is raised: the state would differ between the saved aggregate and a reload`,
        hint: `put the value in the payload (a field of \`${event.name}\`) and read it as \`event.<field>\`; read models may read \`${name}\``,
      });
      continue;
    }
    if (resolved.kind === 'constant') {
      const value = resolved.value;
      if (value === null) {
        if (!target.optional && !acceptsNull(target.type)) ctx.report({ code: 'ESG144', node: rule, message: `\`${rule.target}\` is not optional, so it cannot be set to null`, hint: 'make the state field optional (`T?`)' });
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
    checkFit(ctx, aggregate, rule, resolved, target, `\`${rule.target}\``);
  }
}
