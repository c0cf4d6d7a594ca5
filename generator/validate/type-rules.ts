import { formatType } from '../ir/parse-expressions.js';
import { scalarProblem, unstorableText } from '../../runtime/codegen/checks.js';
import type { AggregateDef, EventDef, FieldDef, JsonValue, PrimitiveName, TypeRef, ValueTypeDef } from '../ir/types.js';

/** The type of a value read from an event; `unchecked` for user metadata, whose shape is not declared. */
export type ValueType = { readonly type: TypeRef | 'unchecked'; readonly optional: boolean };

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string; readonly hint?: string; readonly word?: string; readonly candidates?: readonly string[] };

export function findType(aggregate: AggregateDef, name: string): ValueTypeDef | undefined {
  return aggregate.types.find((t) => t.name === name);
}

/** Named types that are not declared: treated as fitting anything, so one typo gives one error. */
function isUnresolved(aggregate: AggregateDef, type: TypeRef): boolean {
  return type.kind === 'named' && !findType(aggregate, type.name);
}

export function currentFields(event: EventDef): readonly FieldDef[] {
  return event.versions.at(-1)?.fields ?? [];
}

/** Follows `address.city` through the current payload and nested record types. */
export function eventPathType(aggregate: AggregateDef, event: EventDef, path: readonly string[]): Resolved<ValueType> {
  let fields: readonly FieldDef[] = currentFields(event);
  let optional = false;
  let owner = `\`${event.name}\``;
  let type: TypeRef | undefined;
  for (const [i, segment] of path.entries()) {
    const field = fields.find((f) => f.name === segment);
    if (!field) {
      return { ok: false, message: `${owner} has no field \`${segment}\``, word: segment, candidates: fields.map((f) => f.name) };
    }
    optional ||= field.optional;
    type = field.type;
    if (i < path.length - 1) {
      const named = type.kind === 'named' ? findType(aggregate, type.name) : undefined;
      if (named?.kind !== 'record') {
        return { ok: false, message: `\`${path.slice(0, i + 1).join('.')}\` is ${formatType(type)}, which has no field \`${path[i + 1]}\`` };
      }
      fields = named.fields;
      owner = `\`${named.name}\``;
    }
  }
  return { ok: true, value: { type: type!, optional } };
}

/** Whether a value of type `source` can be stored in a field of type `target`. */
export function typeFits(aggregate: AggregateDef, source: TypeRef | 'unchecked', target: TypeRef): boolean {
  if (source === 'unchecked' || isUnresolved(aggregate, source) || isUnresolved(aggregate, target)) return true;
  if (target.kind === 'primitive' && target.name === 'json') return true;
  if (source.kind === 'primitive' && target.kind === 'primitive') {
    if (source.name === target.name) return true;
    if (source.name === 'integer' && target.name === 'number') return true;
    if (source.name === 'uuid' && target.name === 'string') return true;
    return false;
  }
  if (source.kind === 'named' && target.kind === 'primitive' && target.name === 'string') return findType(aggregate, source.name)?.kind === 'enum';
  if (source.kind === 'named' && target.kind === 'named') return source.name === target.name;
  if (source.kind === 'array' && target.kind === 'array') return typeFits(aggregate, source.element, target.element);
  if (source.kind === 'map' && target.kind === 'map') return typeFits(aggregate, source.value, target.value);
  return false;
}

/** What a valid value of each scalar looks like, for messages (validity itself is the runtime's check). */
const scalarHints: Partial<Record<PrimitiveName, string>> = {
  uuid: 'expected a UUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  date: 'expected a real calendar date YYYY-MM-DD, year 0001 to 9999',
  datetime: 'expected an ISO 8601 timestamp with seconds and a zone, e.g. 2024-01-31T12:00:00Z, year 0001 to 9999',
  integer: `expected a whole number from ${-Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`,
  number: 'expected a finite number',
};

/** Whether `null` is a value of the type itself (json), rather than "absent" (optional fields). */
export function acceptsNull(type: TypeRef): boolean {
  return type.kind === 'primitive' && type.name === 'json';
}

/**
 * Why a constant does not fit a type, or undefined when it fits. A scalar is valid exactly when
 * the runtime check generated validators use accepts it (runtime/codegen/checks.ts), so the
 * checks and the validators have one definition of each scalar. A top-level `null` is handled by
 * the caller (it fits the optional fields, and json); inside lists and maps it fits json only.
 */
export function constantMismatch(aggregate: AggregateDef, value: JsonValue, target: TypeRef): string | undefined {
  const shown = JSON.stringify(value);
  const typeName = formatType(target);
  const describe = `${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown} is not ${typeName.startsWith('integer') ? 'an' : 'a'} ${typeName}`;
  if (value === null) return undefined;
  const item = (entry: JsonValue, type: TypeRef) => (entry === null ? (acceptsNull(type) ? undefined : `null is not a ${formatType(type)}`) : constantMismatch(aggregate, entry, type));
  switch (target.kind) {
    case 'primitive': {
      const problem = scalarProblem(target.name, value);
      if (problem === undefined) return undefined;
      // A value of the right kind that is still refused says why (a NUL, 2023-02-31, 2^53 + 1…).
      const detail = /^must be /.test(problem) ? scalarHints[target.name] : problem;
      return detail ? `${describe} (${detail})` : describe;
    }
    case 'array':
      if (!Array.isArray(value)) return describe;
      for (const entry of value) {
        const problem = item(entry, target.element);
        if (problem) return problem;
      }
      return undefined;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return describe;
      for (const [key, entry] of Object.entries(value)) {
        const badKey = unstorableText(key);
        if (badKey) return `the map key ${JSON.stringify(key)} ${badKey}`;
        const problem = item(entry, target.value);
        if (problem) return problem;
      }
      return undefined;
    case 'named': {
      const named = findType(aggregate, target.name);
      if (!named) return undefined;
      if (named.kind === 'enum') {
        return typeof value === 'string' && named.values.includes(value) ? undefined : `${shown} is not a value of the enum \`${named.name}\` (${named.values.join(', ')})`;
      }
      if (typeof value !== 'object' || Array.isArray(value)) return describe;
      for (const key of Object.keys(value)) {
        if (!named.fields.some((f) => f.name === key)) return `\`${named.name}\` has no field \`${key}\``;
      }
      for (const field of named.fields) {
        // Own properties only: a field named `toString` must not find Object.prototype.toString.
        const entry = Object.hasOwn(value, field.name) ? (value as Record<string, JsonValue>)[field.name] : undefined;
        if (entry === undefined || (entry === null && !acceptsNull(field.type))) {
          if (!field.optional) return `\`${field.name}\` is required in \`${named.name}\``;
          continue;
        }
        const problem = item(entry, field.type);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

/** The enum behind a type, for "did you mean" on constants. */
export function enumValues(aggregate: AggregateDef, type: TypeRef): readonly string[] | undefined {
  if (type.kind !== 'named') return undefined;
  const named = findType(aggregate, type.name);
  return named?.kind === 'enum' ? named.values : undefined;
}

export function isNumeric(type: TypeRef): boolean {
  return type.kind === 'primitive' && (type.name === 'number' || type.name === 'integer');
}

export function isTemporal(type: TypeRef): boolean {
  return type.kind === 'primitive' && (type.name === 'datetime' || type.name === 'date');
}

/** Scalars that can be a row key or carry an index. */
export function isScalar(aggregate: AggregateDef, type: TypeRef): boolean {
  if (type.kind === 'primitive') return type.name !== 'json';
  if (type.kind === 'named') return findType(aggregate, type.name)?.kind !== 'record';
  return false;
}

export function sameType(a: TypeRef, b: TypeRef): boolean {
  return formatType(a) === formatType(b);
}
