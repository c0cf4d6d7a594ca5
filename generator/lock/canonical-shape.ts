/**
 * The canonical shape of a payload: its fields sorted by name, each with its optionality and its
 * type with every value type resolved (records to their fields, enums to their values). What a
 * stored JSON payload can look like depends on this and nothing else: not on descriptions, not on
 * field order, not on what a value type is called. The lock file stores it, fingerprints hash it,
 * and the breaking-change rules compare two of them.
 */
import { createHash } from 'node:crypto';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, PrimitiveName, TypeRef } from '../ir/types.js';
import { canonicalJson } from '../emit/fingerprint.js';

/** A value type as the resolver needs it: from `types:` of a spec, or from a lock entry. */
export type ValueTypeSource =
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'record'; readonly fields: readonly ShapeInput[] };

/** A field before resolution: a name, a type expression and whether it may be absent. */
export interface ShapeInput {
  readonly name: string;
  readonly type: TypeRef;
  readonly optional: boolean;
}

export type ShapeType =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  | { readonly kind: 'array'; readonly element: ShapeType }
  | { readonly kind: 'map'; readonly value: ShapeType }
  /** Values sorted: their order does not change what a payload may hold. */
  | { readonly kind: 'enum'; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: 'record'; readonly name: string; readonly fields: readonly ShapeField[] }
  /** A value type met again inside itself (recursive types): compared by name. */
  | { readonly kind: 'ref'; readonly name: string }
  /** A value type that is not declared (a lock entry without its `types:`): compared by name. */
  | { readonly kind: 'unknown'; readonly name: string };

export interface ShapeField {
  readonly name: string;
  readonly optional: boolean;
  readonly type: ShapeType;
}

export type TypeLookup = (name: string) => ValueTypeSource | undefined;

/** The value types of an aggregate's `types:`, for resolving its fields. */
export function typeLookupOf(aggregate: AggregateDef): TypeLookup {
  const types = new Map(aggregate.types.map((type) => [type.name, type]));
  return (name) => {
    const type = types.get(name);
    if (!type) return undefined;
    return type.kind === 'enum' ? { kind: 'enum', values: type.values } : { kind: 'record', fields: type.fields };
  };
}

/** Resolves fields (sorted by name) through the value types `lookup` knows. */
export function resolveShape(fields: readonly ShapeInput[], lookup: TypeLookup, seen: ReadonlySet<string> = new Set()): ShapeField[] {
  return [...fields]
    .sort((a, b) => compareText(a.name, b.name))
    .map((field) => ({ name: field.name, optional: field.optional, type: resolveType(field.type, lookup, seen) }));
}

function resolveType(type: TypeRef, lookup: TypeLookup, seen: ReadonlySet<string>): ShapeType {
  switch (type.kind) {
    case 'primitive':
      return { kind: 'primitive', name: type.name };
    case 'array':
      return { kind: 'array', element: resolveType(type.element, lookup, seen) };
    case 'map':
      return { kind: 'map', value: resolveType(type.value, lookup, seen) };
    case 'named': {
      if (seen.has(type.name)) return { kind: 'ref', name: type.name };
      const named = lookup(type.name);
      if (!named) return { kind: 'unknown', name: type.name };
      if (named.kind === 'enum') return { kind: 'enum', name: type.name, values: [...new Set(named.values)].sort(compareText) };
      return { kind: 'record', name: type.name, fields: resolveShape(named.fields, lookup, new Set(seen).add(type.name)) };
    }
  }
}

/** The shape without value-type names: renaming a value type does not change what is stored. */
function anonymous(type: ShapeType): unknown {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'array':
      return { array: anonymous(type.element) };
    case 'map':
      return { map: anonymous(type.value) };
    case 'enum':
      return { enum: type.values };
    case 'record':
      return { record: type.fields.map((field) => [field.name, field.optional, anonymous(field.type)]) };
    case 'ref':
    case 'unknown':
      return { ref: type.name };
  }
}

/** `sha256:` and 16 hex characters over the anonymous canonical shape. */
export function shapeFingerprint(fields: readonly ShapeField[]): string {
  const canonical = canonicalJson(fields.map((field) => [field.name, field.optional, anonymous(field.type)]));
  return `sha256:${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export function sameShapeType(a: ShapeType, b: ShapeType): boolean {
  return canonicalJson(anonymous(a)) === canonicalJson(anonymous(b));
}

/** `OrderItem[]`, `string?`: a field's type in the spec's notation, with `?` for optional. */
export function fieldTypeText(type: TypeRef, optional: boolean): string {
  return `${formatType(type)}${optional ? '?' : ''}`;
}

/** The value types a list of types reaches, by name, through records, lists and maps. */
export function reachableTypeNames(types: readonly TypeRef[], lookup: TypeLookup): string[] {
  const found = new Set<string>();
  const visit = (type: TypeRef): void => {
    if (type.kind === 'array') return visit(type.element);
    if (type.kind === 'map') return visit(type.value);
    if (type.kind !== 'named' || found.has(type.name)) return;
    found.add(type.name);
    const named = lookup(type.name);
    if (named?.kind === 'record') for (const field of named.fields) visit(field.type);
  };
  types.forEach(visit);
  return [...found].sort(compareText);
}

/** Code-point order, independent of the locale: what keeps the lock file byte-identical everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
