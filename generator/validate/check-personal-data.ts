import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, EventDef, FieldDef } from '../ir/types.js';
import { eventPersonalData, hasPersonalData } from '../typed/personal-data.js';
import type { CheckContext } from './check-context.js';
import { acceptsNull, constantMismatch, eventPathType } from './type-rules.js';

/**
 * Personal data (docs/personal-data.md): an event with `pii` values names its data subject, the
 * subject is a required text value that is not itself personal data, `redacted` values fit their
 * field, and no `pii` field hides inside a recursive value type (its paths would be unbounded).
 */
export function checkPersonalData(ctx: CheckContext): void {
  for (const aggregate of ctx.aggregates) {
    for (const field of [...aggregate.state, ...aggregate.types.flatMap((type) => (type.kind === 'record' ? type.fields : []))]) checkRedacted(ctx, aggregate, field);
    for (const event of aggregate.events) {
      for (const version of event.versions) for (const field of version.fields) checkRedacted(ctx, aggregate, field);
      checkEvent(ctx, aggregate, event);
    }
  }
}

function checkEvent(ctx: CheckContext, aggregate: AggregateDef, event: EventDef): void {
  const data = eventPersonalData(aggregate, event);
  for (const field of data.recursive) {
    ctx.report({
      code: 'ESG186',
      node: field,
      part: 'key',
      message: `\`${field.name}\` is \`pii\` inside a value type that contains itself, used by \`${event.name}\`: esgen cannot list every place it can appear`,
      hint: 'mark the field holding the recursive value `pii: true` as a whole',
    });
  }
  const subject = event.subject;
  if (subject === undefined) {
    if (!hasPersonalData(data)) return;
    const first = data.versions.flat()[0]?.field ?? data.recursive[0];
    ctx.report({
      code: 'ESG181',
      node: event,
      part: 'key',
      message: `\`${event.name}\` carries personal data (\`${first?.name ?? '?'}\` is \`pii\`) but does not say whose: it has no \`subject\``,
      hint: 'add `subject: event.<field>` (e.g. the user id) or `subject: $aggregateId`',
    });
    return;
  }
  if (subject.value.kind !== 'event') return;
  const path = subject.value.path;
  const resolved = eventPathType(aggregate, event, path);
  if (!resolved.ok) {
    ctx.report({
      code: 'ESG182',
      node: subject,
      message: `the subject of \`${event.name}\` reads \`event.${path.join('.')}\`: ${resolved.message}`,
      hint: (resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, 'fields') : resolved.hint) ?? 'or use `$aggregateId`',
    });
    return;
  }
  const { type, optional } = resolved.value;
  const text = type !== 'unchecked' && type.kind === 'primitive' && (type.name === 'string' || type.name === 'uuid');
  if (!text || optional) {
    ctx.report({
      code: 'ESG183',
      node: subject,
      message: `the subject of \`${event.name}\` reads \`event.${path.join('.')}\`, which is ${optional ? 'optional' : formatType(type as Exclude<typeof type, 'unchecked'>)}: a subject id is a required \`string\` or \`uuid\``,
      hint: 'read a required string field, or use `$aggregateId`',
    });
    return;
  }
  // The subject id names the key in clear: it must not be personal data itself.
  const marked = data.versions.at(-1)?.find((entry) => path.length >= entry.path.length && entry.path.every((segment, i) => segment === path[i]));
  if (marked !== undefined) {
    ctx.report({
      code: 'ESG180',
      node: marked.field,
      part: 'key',
      message: `\`${marked.field.name}\` is the data subject of \`${event.name}\` and is marked \`pii\`: the subject id is stored in clear, as the name of its key`,
      hint: `remove \`pii: true\` from \`${marked.field.name}\`, or identify the subject by an opaque id`,
    });
  }
}

function checkRedacted(ctx: CheckContext, aggregate: AggregateDef, field: FieldDef): void {
  if (field.redacted === undefined) return;
  if (!field.pii) {
    ctx.report({ code: 'ESG185', node: field, below: ['redacted'], part: 'key', message: `\`${field.name}\` has a \`redacted\` value but is not \`pii: true\``, hint: 'add `pii: true`, or remove `redacted`' });
    return;
  }
  const problem = field.redacted === null ? (acceptsNull(field.type) ? undefined : 'null is not a value of it (an optional field is left out when forgotten)') : constantMismatch(aggregate, field.redacted, field.type);
  if (problem) ctx.report({ code: 'ESG185', node: field, below: ['redacted'], message: `the \`redacted\` value of \`${field.name}\` does not fit its type ${formatType(field.type)}: ${problem}`, hint: `give a value of type ${formatType(field.type)}` });
}
