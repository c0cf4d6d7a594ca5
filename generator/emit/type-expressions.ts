/**
 * TypeScript spellings of spec types, and the values derived from them (zero values, JSON
 * literals). One rule for dates, everywhere (payloads, state, rows, snapshots): `datetime` is an
 * ISO 8601 string and `date` is `YYYY-MM-DD`, so every generated value is plain JSON.
 */
import { InternalError } from '../../runtime/errors.js';
import type { OptionalKind, PropertySignatureStructure } from 'ts-morph';
import type { AggregateDef, JsonValue, PrimitiveName, TypeRef, ValueTypeDef } from '../ir/types.js';
import { acceptsNull } from '../validate/type-rules.js';
import { propertyKey, stringLiteral } from './names.js';

export function typeText(type: TypeRef): string {
  switch (type.kind) {
    case 'primitive':
      return primitiveText(type.name);
    case 'named':
      return type.name;
    case 'array': {
      const element = typeText(type.element);
      return type.element.kind === 'primitive' || type.element.kind === 'named' ? `readonly ${element}[]` : `ReadonlyArray<${element}>`;
    }
    case 'map':
      return `Readonly<Record<string, ${typeText(type.value)}>>`;
  }
}

function primitiveText(name: PrimitiveName): string {
  switch (name) {
    case 'string':
    case 'uuid':
    case 'datetime':
    case 'date':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'json':
      return 'unknown';
  }
}

/** The properties of an interface from spec fields: readonly, `?` for optional, their descriptions as docs. */
export function propertiesOf(fields: readonly { name: string; type: TypeRef; optional: boolean; description?: string }[]): OptionalKind<PropertySignatureStructure>[] {
  return fields.map((field) => ({
    name: propertyKey(field.name),
    type: typeText(field.type),
    isReadonly: true,
    hasQuestionToken: field.optional,
    ...(field.description ? { docs: [oneLine(field.description)] } : {}),
  }));
}

/** Text for a JSDoc comment on one line (a comment end inside it escaped). */
export function oneLine(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ');
}

/** A JSON value as a TypeScript literal. */
export function jsonLiteral(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(', ')}]`;
  const entries = Object.entries(value as Record<string, JsonValue>);
  // `__proto__: x` in an object literal sets the prototype; a computed key makes an own property, as JSON.parse does.
  return `{ ${entries.map(([key, item]) => `${key === '__proto__' ? "['__proto__']" : propertyKey(key)}: ${jsonLiteral(item)}`).join(', ')} }`;
}

/** Looks up the value types of one aggregate. */
export class TypeScope {
  readonly #types: ReadonlyMap<string, ValueTypeDef>;

  constructor(readonly aggregate: AggregateDef) {
    this.#types = new Map(aggregate.types.map((type) => [type.name, type]));
  }

  named(name: string): ValueTypeDef {
    const type = this.#types.get(name);
    if (!type) throw new InternalError(`unknown value type ${name} (the validator should have reported it)`);
    return type;
  }

  /**
   * The value a required field holds before any event set it: the default when given, else the
   * zero value of its type ('' / 0 / false / [] / {} / null, the first enum value, a record of zeros).
   */
  zeroValue(type: TypeRef): string {
    switch (type.kind) {
      case 'primitive':
        switch (type.name) {
          case 'integer':
          case 'number':
            return '0';
          case 'boolean':
            return 'false';
          case 'json':
            return 'null';
          default:
            return "''";
        }
      case 'array':
        return '[]';
      case 'map':
        return '{}';
      case 'named': {
        const named = this.named(type.name);
        if (named.kind === 'enum') return stringLiteral(named.values[0] ?? '');
        return this.initialObject(named.fields);
      }
    }
  }

  /**
   * A constant of a spec type as a TypeScript literal: like JSON, except that a record's optional
   * field given as null is left out (absent is how optional fields are unset; `null` would not
   * type-check, and JSON state has no nulls there). json values keep their nulls.
   */
  literal(value: JsonValue, type: TypeRef): string {
    const text = this.#literal(value, type);
    return this.#widens(value, type) ? `${text} as const` : text;
  }

  /**
   * Whether TypeScript would widen a constant away from its type, so that it must be asserted
   * `as const`: a non-empty map (an enum value under a key named like an Object.prototype member,
   * `toString` or `constructor`, loses its contextual type and widens to string), or a list of
   * objects (a function's inferred return type turns `[{}, { a: 1 }]` into `{ a?: undefined } | …`).
   */
  #widens(value: JsonValue, type: TypeRef): boolean {
    if (value === null || typeof value !== 'object') return false;
    if (type.kind === 'primitive') return false;
    if (Array.isArray(value)) return type.kind === 'array' && value.some((item) => (item !== null && typeof item === 'object') || this.#widens(item, type.element));
    const entries = Object.entries(value);
    if (type.kind === 'map') return entries.length > 0;
    if (type.kind !== 'named') return false;
    const named = this.named(type.name);
    if (named.kind === 'enum') return false;
    return entries.some(([name, item]) => {
      const field = named.fields.find((candidate) => candidate.name === name);
      return field !== undefined && this.#widens(item, field.type);
    });
  }

  /**
   * A constant that goes into aggregate state or a read-model row: as `literal`, with every
   * datetime in it (nested ones included) in the one stored form, UTC with milliseconds (issue
   * 12). Payload constants (upcasts) keep the spelling the spec gives.
   */
  storedLiteral(value: JsonValue, type: TypeRef): string {
    return this.literal(this.#canonicalDatetimes(value, type), type);
  }

  #canonicalDatetimes(value: JsonValue, type: TypeRef): JsonValue {
    if (value === null) return value;
    switch (type.kind) {
      case 'primitive':
        // The checks accept only parseable datetimes; anything else is left for them to report.
        return type.name === 'datetime' && typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : value;
      case 'array':
        return Array.isArray(value) ? value.map((item) => this.#canonicalDatetimes(item, type.element)) : value;
      case 'map':
        return typeof value === 'object' && !Array.isArray(value) ? mapEntries(value as Record<string, JsonValue>, (item) => this.#canonicalDatetimes(item, type.value)) : value;
      case 'named': {
        const named = this.named(type.name);
        if (named.kind === 'enum' || typeof value !== 'object' || Array.isArray(value)) return value;
        const fields = new Map(named.fields.map((field) => [field.name, field]));
        return mapEntries(value as Record<string, JsonValue>, (item, name) => {
          const field = fields.get(name);
          return field === undefined ? item : this.#canonicalDatetimes(item, field.type);
        });
      }
    }
  }

  #literal(value: JsonValue, type: TypeRef): string {
    if (value === null || type.kind === 'primitive') return jsonLiteral(value);
    if (type.kind === 'array') return Array.isArray(value) ? `[${value.map((item) => this.#literal(item, type.element)).join(', ')}]` : jsonLiteral(value);
    if (typeof value !== 'object' || Array.isArray(value)) return jsonLiteral(value);
    const entries = Object.entries(value as Record<string, JsonValue>);
    const key = (name: string) => (name === '__proto__' ? "['__proto__']" : propertyKey(name));
    if (type.kind === 'map') return `{ ${entries.map(([name, item]) => `${key(name)}: ${this.#literal(item, type.value)}`).join(', ')} }`;
    const named = this.named(type.name);
    if (named.kind === 'enum') return jsonLiteral(value);
    const fields = new Map(named.fields.map((field) => [field.name, field]));
    const kept = entries.flatMap(([name, item]) => {
      const field = fields.get(name);
      if (!field) return [`${key(name)}: ${jsonLiteral(item)}`];
      if (item === null && field.optional && !acceptsNull(field.type)) return [];
      return [`${key(name)}: ${this.#literal(item, field.type)}`];
    });
    return `{ ${kept.join(', ')} }`;
  }

  /** An object literal holding the initial value of every required field (optional fields start absent). */
  initialObject(fields: readonly { name: string; type: TypeRef; optional: boolean; default?: JsonValue }[]): string {
    const entries = fields.flatMap((field) => {
      // `default: null` on an optional field means absent (JSON state has no nulls), except for json, where null is a value.
      if (field.default === null && field.optional && !acceptsNull(field.type)) return [];
      if (field.default !== undefined) return [`${propertyKey(field.name)}: ${this.storedLiteral(field.default, field.type)}`];
      if (field.optional) return [];
      return [`${propertyKey(field.name)}: ${this.zeroValue(field.type)}`];
    });
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }

  /** A canonical, name-independent description of a type, for fingerprints. */
  shape(type: TypeRef, seen: ReadonlySet<string> = new Set()): unknown {
    switch (type.kind) {
      case 'primitive':
        return type.name;
      case 'array':
        return { array: this.shape(type.element, seen) };
      case 'map':
        return { map: this.shape(type.value, seen) };
      case 'named': {
        if (seen.has(type.name)) return { ref: type.name };
        const named = this.named(type.name);
        const inner = new Set(seen).add(type.name);
        if (named.kind === 'enum') return { enum: [...named.values] };
        return { record: named.fields.map((field) => [field.name, field.optional, this.shape(field.type, inner)]) };
      }
    }
  }
}


/** An object's entries mapped, as a new object (own `__proto__` keys kept as plain properties, as JSON.parse does). */
function mapEntries(value: { readonly [key: string]: JsonValue }, map: (item: JsonValue, name: string) => JsonValue): JsonValue {
  const result: Record<string, JsonValue> = {};
  for (const [name, item] of Object.entries(value)) Object.defineProperty(result, name, { value: map(item, name), enumerable: true, writable: true, configurable: true });
  return result;
}
