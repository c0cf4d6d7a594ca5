/**
 * The envelope fields a spec can read (`$aggregateId`, `$occurredAt`, …): one row each, with its
 * type, whether aggregate `apply` rules may read it, how generated code reads it from an event
 * envelope, and its documentation. The parser, the checks, the emitters and the docs all read
 * this table, so a field's type is declared here and nowhere else.
 */
import type { AggregateDef, TypeRef } from '../ir/types.js';

export interface EnvelopeFieldRow {
  /** What the field is, for the docs. */
  readonly doc: string;
  /** Its spec type. */
  readonly type: (aggregate: AggregateDef) => TypeRef;
  /** Whether it may be absent (null in the envelope, absent in JSON state and rows). */
  readonly optional: boolean;
  /**
   * Whether aggregate `apply` rules may read it. Fields given at save time (correlation,
   * causation, metadata) are unknown when an event is raised: state built from them would differ
   * between the saved instance and a reload.
   */
  readonly inApply: boolean;
  /** The expression reading it from an envelope or EventContext held in `envelope`. */
  readonly read: (envelope: string) => string;
}

const primitive = (name: 'string' | 'integer' | 'uuid' | 'datetime'): TypeRef => ({ kind: 'primitive', name });

export const envelopeFieldTable = {
  aggregateId: { doc: "the aggregate's id", type: (aggregate) => aggregate.idType, optional: false, inApply: true, read: (envelope) => `${envelope}.aggregateId` },
  // datetime values are ISO strings everywhere in generated code (JSON-safe state and rows).
  occurredAt: { doc: 'when the event happened (business time, UTC)', type: () => primitive('datetime'), optional: false, inApply: true, read: (envelope) => `${envelope}.occurredAt.toISOString()` },
  version: { doc: "the event's position in its aggregate's stream, from 1", type: () => primitive('integer'), optional: false, inApply: true, read: (envelope) => `${envelope}.version` },
  eventId: { doc: "the event's id, created when it is raised", type: () => primitive('uuid'), optional: false, inApply: true, read: (envelope) => `${envelope}.eventId` },
  correlationId: { doc: 'the correlation id given to `save`', type: () => primitive('uuid'), optional: true, inApply: false, read: (envelope) => `(${envelope}.correlationId ?? undefined)` },
  causationId: { doc: 'the causation id given to `save`', type: () => primitive('uuid'), optional: true, inApply: false, read: (envelope) => `(${envelope}.causationId ?? undefined)` },
} as const satisfies Readonly<Record<string, EnvelopeFieldRow>>;

/** `aggregateId`, `occurredAt`, … (written `$aggregateId` in specs). */
export type EnvelopeField = keyof typeof envelopeFieldTable;

export const envelopeFieldNames = Object.keys(envelopeFieldTable) as readonly EnvelopeField[];

export function envelopeField(name: EnvelopeField): EnvelopeFieldRow {
  return envelopeFieldTable[name];
}

/** `$metadata.key`: free-form user metadata, given at save time like the correlation id. */
export const metadataRow = {
  doc: 'a key of the metadata given to `save` (not type-checked: metadata has no declared shape)',
  optional: true,
  inApply: false,
  /** `keyLiteral` is the key as a string literal, `typeText` the TypeScript type the value is taken as. */
  read: (envelope: string, keyLiteral: string, typeText: string) => `(${envelope}.metadata[${keyLiteral}] as ${typeText} | undefined)`,
} as const;
