/**
 * How a value read from an event (`event.x.y`, `$occurredAt`, metadata, a literal) is written in
 * generated code, and what type it has. Used by apply rules and read-model mappings alike.
 */
import type { EventDef, FieldDef, TypeRef, ValueExpr } from '../ir/types.js';
import { stringLiteral } from './names.js';
import { jsonLiteral, type TypeScope, typeText } from './type-expressions.js';

export interface ValueAccess {
  readonly text: string;
  /** The spec type of the value; undefined for literals and metadata. */
  readonly type: TypeRef | undefined;
  /** Whether the value may be undefined (an optional field on the path). */
  readonly mayBeAbsent: boolean;
}

export interface ValueSources {
  /** Expression of the typed payload, e.g. `event.data`. */
  readonly data: string;
  /** Expression of the EventContext / EventEnvelope. */
  readonly context: string;
  readonly event: EventDef;
  readonly scope: TypeScope;
  /** The type the value is assigned to (casts metadata values to it). */
  readonly target: TypeRef;
  /** Whether the target may be absent (metadata keys may be missing). */
  readonly targetOptional: boolean;
}

export function valueAccess(expr: ValueExpr, sources: ValueSources): ValueAccess {
  switch (expr.kind) {
    case 'const':
      // `null` clears an optional field: JSON state and rows have no nulls, the field is absent.
      if (expr.value === null && sources.targetOptional && !acceptsNull(sources.target)) return { text: 'undefined', type: undefined, mayBeAbsent: true };
      return { text: jsonLiteral(expr.value), type: undefined, mayBeAbsent: false };
    case 'metadata':
      // Metadata is free-form JSON the spec cannot type: the cast states the spec's intent.
      return sources.targetOptional
        ? { text: `(${sources.context}.metadata[${stringLiteral(expr.key)}] as ${typeText(sources.target)} | undefined)`, type: sources.target, mayBeAbsent: true }
        : { text: `(${sources.context}.metadata[${stringLiteral(expr.key)}] as ${typeText(sources.target)})`, type: sources.target, mayBeAbsent: false };
    case 'envelope':
      switch (expr.field) {
        case 'occurredAt':
          // datetime values are ISO strings everywhere in generated code (JSON-safe state and rows).
          return { text: `${sources.context}.occurredAt.toISOString()`, type: { kind: 'primitive', name: 'datetime' }, mayBeAbsent: false };
        case 'version':
          return { text: `${sources.context}.version`, type: { kind: 'primitive', name: 'integer' }, mayBeAbsent: false };
        case 'correlationId':
        case 'causationId':
          // null in the envelope; absent in JSON state and rows.
          return { text: `(${sources.context}.${expr.field} ?? undefined)`, type: { kind: 'primitive', name: 'string' }, mayBeAbsent: true };
        default:
          return { text: `${sources.context}.${expr.field}`, type: { kind: 'primitive', name: 'string' }, mayBeAbsent: false };
      }
    case 'event':
      return eventPath(expr.path, sources);
  }
}

function eventPath(path: readonly string[], sources: ValueSources): ValueAccess {
  let fields: readonly FieldDef[] = sources.event.versions.at(-1)?.fields ?? [];
  let text = sources.data;
  let type: TypeRef | undefined;
  let mayBeAbsent = false;
  for (const segment of path) {
    const field = fields.find((candidate) => candidate.name === segment);
    if (!field) throw new Error(`esgen internal error: ${sources.event.name} has no field ${path.join('.')} (the validator should have reported it)`);
    text += `${mayBeAbsent ? '?.' : '.'}${segment}`;
    mayBeAbsent ||= field.optional;
    type = field.type;
    if (type.kind === 'named') {
      const named = sources.scope.named(type.name);
      fields = named.kind === 'record' ? named.fields : [];
    } else fields = [];
  }
  return { text, type, mayBeAbsent };
}

function acceptsNull(type: TypeRef): boolean {
  return type.kind === 'primitive' && type.name === 'json';
}
