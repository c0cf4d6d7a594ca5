import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
import { envelopeFieldNames as envelopeFields } from '../ops/envelope-fields.js';
import type { ApplyOpName, EnvelopeField, JsonValue, KeyBucket, PrimitiveName, TypeRef, ValueExpr } from './types.js';

export const primitiveNames: readonly PrimitiveName[] = ['string', 'integer', 'number', 'boolean', 'uuid', 'datetime', 'date', 'json'];
export { envelopeFields };
export const keyBuckets: readonly KeyBucket[] = ['hour', 'day', 'month', 'year'];

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  /** `at`: the 0-based character of the text where it went wrong, when known (the diagnostic then points there). */
  | { readonly ok: false; readonly message: string; readonly hint?: string; readonly code?: DiagnosticCode; readonly at?: { readonly index: number; readonly text: string } };

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Parses a type expression: `string`, `OrderItem`, `T[]`, `map<T>`, with an optional trailing `?`
 * (optionality belongs to the field, so it is returned separately).
 */
export function parseTypeExpression(raw: unknown): Parsed<{ type: TypeRef; optional: boolean }> {
  // `[OrderItem]` (a one-element YAML list) is the flow-style spelling of `OrderItem[]`.
  if (Array.isArray(raw)) {
    const element = raw.length === 1 ? parseTypeExpression(raw[0]) : undefined;
    if (!element?.ok || element.value.optional) {
      return { ok: false, message: `\`${JSON.stringify(raw)}\` is not a valid type expression`, hint: 'a list type is written `[OrderItem]` (one element) or `OrderItem[]`' };
    }
    return { ok: true, value: { type: { kind: 'array', element: element.value.type }, optional: false } };
  }
  const text = String(raw);
  let rest = text.trim();
  let optional = false;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1).trimEnd();
  }
  const type = parseTypeRef(rest);
  if (!type) {
    return {
      ok: false,
      message: `\`${text}\` is not a valid type expression`,
      hint: 'write a type name (`string`, `OrderItem`), a list `T[]`, a map `map<T>`, with `?` at the end for optional',
    };
  }
  return { ok: true, value: { type, optional } };
}

function parseTypeRef(text: string): TypeRef | undefined {
  const t = text.trim();
  if (t.endsWith('[]')) {
    const element = parseTypeRef(t.slice(0, -2));
    return element && { kind: 'array', element };
  }
  const map = /^map\s*<(.*)>$/.exec(t);
  if (map) {
    const value = parseTypeRef(map[1]!);
    return value && { kind: 'map', value };
  }
  if (!identifier.test(t)) return undefined;
  return (primitiveNames as readonly string[]).includes(t) ? { kind: 'primitive', name: t as PrimitiveName } : { kind: 'named', name: t };
}

/** `OrderItem[]`, `map<integer>`: the spec's own notation, for messages. */
export function formatType(type: TypeRef): string {
  switch (type.kind) {
    case 'primitive':
    case 'named':
      return type.name;
    case 'array':
      return `${formatType(type.element)}[]`;
    case 'map':
      return `map<${formatType(type.value)}>`;
  }
}

/** Parses `$occurredAt` or `$metadata.key`; anything else starting with `$` is an error. */
export function parseEnvelopeRef(text: string): Parsed<ValueExpr> {
  const metadata = /^\$metadata\.(.+)$/.exec(text);
  if (metadata) return { ok: true, value: { kind: 'metadata', key: metadata[1]! } };
  const name = text.slice(1);
  if ((envelopeFields as readonly string[]).includes(name)) return { ok: true, value: { kind: 'envelope', field: name as EnvelopeField } };
  return { ok: false, code: 'ESG139', message: `\`${text}\` is not an envelope field`, hint: `envelope fields: ${envelopeFields.map((f) => `\`$${f}\``).join(', ')}, \`$metadata.key\`` };
}

function parsePath(text: string): readonly string[] | undefined {
  const segments = text.split('.');
  return segments.every((s) => identifier.test(s)) ? segments : undefined;
}

/**
 * A value in `apply`: `event.path`, an envelope reference, or a constant. A plain string that
 * starts with neither `event.` nor `$` is a constant; `{ const: ... }` writes any constant.
 */
export function parseApplyValue(raw: unknown): Parsed<ValueExpr> {
  if (isConstObject(raw)) return { ok: true, value: { kind: 'const', value: raw.const as JsonValue } };
  if (typeof raw === 'string') {
    if (raw.startsWith('$')) return parseEnvelopeRef(raw);
    if (raw.startsWith('event.')) {
      const path = parsePath(raw.slice('event.'.length));
      if (!path) return { ok: false, message: `\`${raw}\` is not a valid event path`, hint: 'write `event.field` or `event.field.nested`; for a string constant use `{ const: "..." }`' };
      return { ok: true, value: { kind: 'event', path } };
    }
  }
  return { ok: true, value: { kind: 'const', value: raw as JsonValue } };
}

const applyOps: readonly ApplyOpName[] = ['set', 'add', 'subtract', 'remove'];

/** A parsed apply rule: its operation (absent: set), the map entry it changes, its value. */
export interface ParsedApplyRule {
  readonly op?: Exclude<ApplyOpName, 'set'>;
  readonly entry?: ValueExpr;
  readonly value: ValueExpr;
}

/**
 * One apply rule: a value (short form: set the field), or the long form
 * `{ entry?: event.key, set | add | subtract | remove: value }` (exactly one operation; `remove`
 * only as `remove: true`). A long-form `set` without `entry` is the short form, so both give the
 * same IR.
 */
export function parseApplyRule(raw: unknown): Parsed<ParsedApplyRule> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || isConstObject(raw)) {
    const value = parseApplyValue(raw);
    return value.ok ? { ok: true, value: { value: value.value } } : value;
  }
  const spec = raw as Record<string, unknown>;
  const given = applyOps.filter((op) => op in spec);
  const written = `\`${Object.keys(spec).join(', ')}\``;
  if (given.length !== 1) {
    return {
      ok: false,
      code: 'ESG195',
      message: given.length === 0 ? `the apply operation ${written} says no operation` : `the apply operation gives ${given.length} operations (${given.map((op) => `\`${op}\``).join(', ')}), one rule does one`,
      hint: 'write exactly one of `set: value`, `add: value`, `subtract: value`, `remove: true`, e.g. `{ entry: event.sku, add: event.quantity }`; for an object constant write `{ const: {...} }`',
    };
  }
  const op = given[0]!;
  if (op === 'remove' && spec.remove !== true) {
    return { ok: false, code: 'ESG195', message: `\`remove: ${JSON.stringify(spec.remove)}\` is not an operation: \`remove\` is written \`remove: true\``, hint: 'write `{ entry: event.<key>, remove: true }`, or drop the rule' };
  }
  let entry: ValueExpr | undefined;
  if (spec.entry !== undefined) {
    const parsed = typeof spec.entry === 'string' && (spec.entry.startsWith('event.') || spec.entry.startsWith('$')) ? parseApplyValue(spec.entry) : undefined;
    if (!parsed?.ok) {
      return parsed && !parsed.ok
        ? parsed
        : { ok: false, code: 'ESG194', message: `the entry key \`${JSON.stringify(spec.entry)}\` is not read from the event`, hint: 'write `entry: event.<field>` (a required string field of the payload) or `entry: $aggregateId`' };
    }
    entry = parsed.value;
  }
  const value = parseApplyValue(spec[op]);
  if (!value.ok) return value;
  return { ok: true, value: { ...(op === 'set' ? {} : { op }), ...(entry ? { entry } : {}), value: value.value } };
}

/**
 * An operand in a read-model operation (`add: totalAmount`): a string is a path into the event
 * payload or an envelope reference; numbers and booleans are constants; `{ const: ... }` too.
 */
export function parseOperand(raw: unknown): Parsed<ValueExpr> {
  if (isConstObject(raw)) return { ok: true, value: { kind: 'const', value: raw.const as JsonValue } };
  if (typeof raw === 'string') {
    if (raw.startsWith('$')) return parseEnvelopeRef(raw);
    const path = parsePath(raw.startsWith('event.') ? raw.slice('event.'.length) : raw);
    if (!path) return { ok: false, message: `\`${raw}\` is not a path into the event`, hint: 'write a field name such as `totalAmount` or `address.city`; for a string constant use `{ const: "..." }`' };
    return { ok: true, value: { kind: 'event', path } };
  }
  if (typeof raw === 'number' || typeof raw === 'boolean' || raw === null || Array.isArray(raw)) return { ok: true, value: { kind: 'const', value: raw as JsonValue } };
  return { ok: false, message: 'an operand must be a field path, an envelope field, a number or `{ const: value }`' };
}

/** `OrderCreated.totalAmount`, `OrderCreated.$occurredAt`. */
export function parseEventReference(text: string): Parsed<{ event: string; value: ValueExpr }> {
  const dot = text.indexOf('.');
  const event = dot < 0 ? text : text.slice(0, dot);
  if (dot < 0 || !identifier.test(event)) {
    return { ok: false, message: `\`${text}\` is not an event reference`, hint: 'write `EventName.field` or `EventName.$occurredAt`' };
  }
  const rest = text.slice(dot + 1);
  if (rest.startsWith('$')) {
    const envelope = parseEnvelopeRef(rest);
    return envelope.ok ? { ok: true, value: { event, value: envelope.value } } : envelope;
  }
  const path = parsePath(rest);
  if (!path) return { ok: false, message: `\`${text}\` is not an event reference`, hint: 'write `EventName.field` or `EventName.$occurredAt`' };
  return { ok: true, value: { event, value: { kind: 'event', path } } };
}

/**
 * The data subject of an event: `event.path` into the payload or `$aggregateId` (the key
 * expressions of read models read values the same way, minus constants and other envelope fields).
 */
export function parseSubject(text: string): Parsed<ValueExpr> {
  const hint = 'write `event.<field>` (a string field of the payload) or `$aggregateId`';
  if (text === '$aggregateId') return { ok: true, value: { kind: 'envelope', field: 'aggregateId' } };
  if (text.startsWith('event.')) {
    const path = parsePath(text.slice('event.'.length));
    if (path) return { ok: true, value: { kind: 'event', path } };
  }
  return { ok: false, message: `\`${text}\` cannot identify a data subject`, hint };
}

/** Splits a trailing `:bucket` off a key expression. */
export function splitBucket(text: string): Parsed<{ expression: string; bucket?: KeyBucket }> {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { ok: true, value: { expression: text } };
  const bucket = text.slice(colon + 1).trim();
  if (!(keyBuckets as readonly string[]).includes(bucket)) {
    return { ok: false, message: `\`${bucket}\` is not a time bucket`, hint: `buckets: ${keyBuckets.map((b) => `\`${b}\``).join(', ')}` };
  }
  return { ok: true, value: { expression: text.slice(0, colon).trim(), bucket: bucket as KeyBucket } };
}

function isConstObject(raw: unknown): raw is { const: unknown } {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.keys(raw).length === 1 && 'const' in raw;
}
