/**
 * The type rules of the spec language as docs/spec-reference.md states them, written again for the
 * harness: the generator uses them to produce only values and rules the language promises to
 * accept, so a rejection by `esgen validate` points at a disagreement between the two.
 */
import { findType, type AggregateModel, type Field, type TypeExpr, type ValueSource, type EventModel, currentVersion } from './domain-model.js';

const primitive = (name: 'string' | 'integer' | 'number' | 'boolean' | 'uuid' | 'datetime' | 'date' | 'json'): TypeExpr => ({ kind: 'primitive', name });

/** "`integer` fits `number`, `uuid` fits `string`, an enum fits `string`; everything fits `json`." */
export function fits(aggregate: AggregateModel, source: TypeExpr, target: TypeExpr): boolean {
  if (target.kind === 'primitive' && target.name === 'json') return true;
  if (source.kind === 'primitive' && target.kind === 'primitive') {
    return source.name === target.name || (source.name === 'integer' && target.name === 'number') || (source.name === 'uuid' && target.name === 'string');
  }
  if (source.kind === 'named' && target.kind === 'primitive') return target.name === 'string' && findType(aggregate, source.name).kind === 'enum';
  if (source.kind === 'named' && target.kind === 'named') return source.name === target.name;
  if (source.kind === 'list' && target.kind === 'list') return fits(aggregate, source.element, target.element);
  if (source.kind === 'map' && target.kind === 'map') return fits(aggregate, source.value, target.value);
  return false;
}

export function isNumeric(type: TypeExpr): boolean {
  return type.kind === 'primitive' && (type.name === 'integer' || type.name === 'number');
}

export function isTemporal(type: TypeExpr): boolean {
  return type.kind === 'primitive' && (type.name === 'date' || type.name === 'datetime');
}

/** Scalars: row keys and indexes (primitives but json, enums). */
export function isScalar(aggregate: AggregateModel, type: TypeExpr): boolean {
  if (type.kind === 'primitive') return type.name !== 'json';
  if (type.kind === 'named') return findType(aggregate, type.name).kind === 'enum';
  return false;
}

export function sameType(a: TypeExpr, b: TypeExpr): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'primitive':
    case 'named':
      return a.name === (b as typeof a).name;
    case 'list':
      return sameType(a.element, (b as typeof a).element);
    case 'map':
      return sameType(a.value, (b as typeof a).value);
  }
}

export interface TypedPath {
  readonly path: readonly string[];
  readonly type: TypeExpr;
  /** Some segment of the path is optional: the value may be absent. */
  readonly optional: boolean;
}

/** Every path into a payload: its fields and, through record value types, their fields (depth-limited). */
export function payloadPaths(aggregate: AggregateModel, fields: readonly Field[], maxDepth = 3): TypedPath[] {
  const paths: TypedPath[] = [];
  const walk = (current: readonly Field[], prefix: readonly string[], optional: boolean, depth: number) => {
    for (const field of current) {
      const path = [...prefix, field.name];
      const isOptional = optional || field.optional;
      paths.push({ path, type: field.type, optional: isOptional });
      if (field.type.kind === 'named' && depth < maxDepth) {
        const named = findType(aggregate, field.type.name);
        if (named.kind === 'record') walk(named.fields, path, isOptional, depth + 1);
      }
    }
  };
  walk(fields, [], false, 1);
  return paths;
}

export function eventPaths(aggregate: AggregateModel, event: EventModel): TypedPath[] {
  return payloadPaths(aggregate, currentVersion(event).fields);
}

/** Type and optionality of an envelope value, as the spec reference lists them. */
export function envelopeType(aggregate: AggregateModel, field: 'aggregateId' | 'occurredAt' | 'version' | 'eventId'): { type: TypeExpr; optional: boolean } {
  switch (field) {
    case 'aggregateId':
      return { type: primitive(aggregate.idType), optional: false };
    case 'occurredAt':
      return { type: primitive('datetime'), optional: false };
    case 'version':
      return { type: primitive('integer'), optional: false };
    case 'eventId':
      return { type: primitive('uuid'), optional: false };
  }
}

/** The type of a non-constant source on an event. */
export function sourceType(aggregate: AggregateModel, event: EventModel, source: ValueSource): { type: TypeExpr; optional: boolean } {
  if (source.kind === 'envelope') return envelopeType(aggregate, source.field);
  if (source.kind === 'const') throw new Error('a constant has no source type');
  const found = eventPaths(aggregate, event).find((p) => p.path.join('.') === source.path.join('.'));
  if (!found) throw new Error(`random domain: ${event.name} has no path ${source.path.join('.')}`);
  return { type: found.type, optional: found.optional };
}
