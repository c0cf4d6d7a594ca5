/**
 * Where an event's personal data sits, version by version: the paths of its `pii` values (through
 * value types, lists and maps) and the value each reads as once its subject is forgotten. The
 * checker reports what it finds wrong (recursion); the registry emitter prints the paths; the
 * runtime (runtime/personal-data/pii-paths.ts) encrypts and redacts along them.
 */
import type { AggregateDef, EventDef, FieldDef, JsonValue, TypeRef } from '../ir/types.js';
import { findType } from '../validate/type-rules.js';

/** `*` stands for every element of a list or every value of a map (field names are identifiers, never `*`). */
export const EVERY = '*';

export interface PiiPath {
  readonly path: readonly string[];
  /** What reads return after forgetting; absent = the property is left out (an optional field). */
  readonly redacted?: JsonValue;
  /** The `pii` field declaration the path ends at. */
  readonly field: FieldDef;
}

export interface EventPersonalData {
  /** Per payload version 1..N, the personal values. */
  readonly versions: readonly (readonly PiiPath[])[];
  /** `pii` fields found inside a value type that contains itself: their paths are unbounded. */
  readonly recursive: readonly FieldDef[];
}

/** Whether any version of the event carries personal data. */
export function hasPersonalData(data: EventPersonalData): boolean {
  return data.versions.some((paths) => paths.length > 0) || data.recursive.length > 0;
}

export function eventPersonalData(aggregate: AggregateDef, event: EventDef): EventPersonalData {
  const recursive = new Set<FieldDef>();
  const versions = event.versions.map((version) => {
    const paths: PiiPath[] = [];
    const walkFields = (fields: readonly FieldDef[], prefix: readonly string[], stack: readonly string[]) => {
      for (const field of fields) {
        const path = [...prefix, field.name];
        if (field.pii) {
          const redacted = field.redacted !== undefined ? field.redacted : field.optional ? undefined : emptyValue(aggregate, field.type, []);
          paths.push({ path, field, ...(redacted !== undefined ? { redacted } : {}) });
        } else walkType(field.type, path, stack);
      }
    };
    const walkType = (type: TypeRef, path: readonly string[], stack: readonly string[]) => {
      if (type.kind === 'array') return walkType(type.element, [...path, EVERY], stack);
      if (type.kind === 'map') return walkType(type.value, [...path, EVERY], stack);
      if (type.kind !== 'named') return;
      const named = findType(aggregate, type.name);
      if (named?.kind !== 'record') return;
      if (stack.includes(named.name)) {
        for (const field of piiFieldsWithin(aggregate, named.name)) recursive.add(field);
        return;
      }
      walkFields(named.fields, path, [...stack, named.name]);
    };
    walkFields(version.fields, [], []);
    return paths;
  });
  return { versions, recursive: [...recursive] };
}

/** Every `pii` field of the value types reachable from `typeName` (itself included). */
function piiFieldsWithin(aggregate: AggregateDef, typeName: string): FieldDef[] {
  const found: FieldDef[] = [];
  const seen = new Set<string>();
  const visit = (type: TypeRef) => {
    if (type.kind === 'array') return visit(type.element);
    if (type.kind === 'map') return visit(type.value);
    if (type.kind !== 'named' || seen.has(type.name)) return;
    seen.add(type.name);
    const named = findType(aggregate, type.name);
    if (named?.kind !== 'record') return;
    for (const field of named.fields) field.pii ? found.push(field) : visit(field.type);
  };
  visit({ kind: 'named', name: typeName });
  return found;
}

/**
 * The typed empty value of a type: '' for text, 0, false, [] and {}, the first value of an enum,
 * the Unix epoch for dates (the validators refuse ''), the nil UUID, null for json, and a record
 * of its required fields' empty values (docs/personal-data.md, "Redacted values").
 */
export function emptyValue(aggregate: AggregateDef, type: TypeRef, stack: readonly string[]): JsonValue {
  switch (type.kind) {
    case 'array':
      return [];
    case 'map':
      return {};
    case 'primitive':
      switch (type.name) {
        case 'string':
          return '';
        case 'uuid':
          return '00000000-0000-0000-0000-000000000000';
        case 'integer':
        case 'number':
          return 0;
        case 'boolean':
          return false;
        case 'datetime':
          return '1970-01-01T00:00:00.000Z';
        case 'date':
          return '1970-01-01';
        case 'json':
          return null;
      }
    // falls through: unreachable, every primitive returned
    case 'named': {
      const named = type.kind === 'named' ? findType(aggregate, type.name) : undefined;
      if (named === undefined) return null;
      if (named.kind === 'enum') return named.values[0] ?? '';
      if (stack.includes(named.name)) return {};
      const record: Record<string, JsonValue> = {};
      for (const field of named.fields) if (!field.optional) record[field.name] = emptyValue(aggregate, field.type, [...stack, named.name]);
      return record;
    }
  }
}
