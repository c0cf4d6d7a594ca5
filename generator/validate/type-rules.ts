import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, EventDef, FieldDef, JsonValue, TypeRef, ValueTypeDef } from '../ir/types.js';

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

const isoDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const isoDateTime = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why a constant does not fit a type, or undefined when it fits. `null` is handled by the caller
 * (it fits exactly the optional fields).
 */
export function constantMismatch(aggregate: AggregateDef, value: JsonValue, target: TypeRef): string | undefined {
  const shown = JSON.stringify(value);
  const describe = `${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown} is not a ${formatType(target)}`;
  if (value === null) return undefined;
  switch (target.kind) {
    case 'primitive':
      switch (target.name) {
        case 'json':
          return undefined;
        case 'string':
          return typeof value === 'string' ? undefined : describe;
        case 'number':
          return typeof value === 'number' ? undefined : describe;
        case 'integer':
          return typeof value === 'number' && Number.isInteger(value) ? undefined : describe;
        case 'boolean':
          return typeof value === 'boolean' ? undefined : describe;
        case 'uuid':
          return typeof value === 'string' && uuid.test(value) ? undefined : `${describe} (expected a UUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301)`;
        case 'date':
          return typeof value === 'string' && isoDate.test(value) ? undefined : `${describe} (expected YYYY-MM-DD)`;
        case 'datetime':
          return typeof value === 'string' && isoDateTime.test(value) ? undefined : `${describe} (expected an ISO 8601 timestamp with a zone, e.g. 2024-01-31T12:00:00Z)`;
      }
      return undefined;
    case 'array':
      if (!Array.isArray(value)) return describe;
      for (const item of value) {
        const problem = item === null ? `null is not a ${formatType(target.element)}` : constantMismatch(aggregate, item, target.element);
        if (problem) return problem;
      }
      return undefined;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return describe;
      for (const item of Object.values(value)) {
        const problem = item === null ? `null is not a ${formatType(target.value)}` : constantMismatch(aggregate, item, target.value);
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
        const item = Object.hasOwn(value, field.name) ? (value as Record<string, JsonValue>)[field.name] : undefined;
        if (item === undefined || item === null) {
          if (!field.optional) return `\`${field.name}\` is required in \`${named.name}\``;
          continue;
        }
        const problem = constantMismatch(aggregate, item, field.type);
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
