import type { EventEnvelope, ReadModelDefinition } from '../contracts.js';
import type { RowWrite, StoredRow } from './projection-rows.js';

/** An event this read model reacts to, with the row it goes to. */
export interface KeyedEvent {
  readonly event: EventEnvelope;
  readonly key: string;
}

/** Where a batch stopped because a mapper threw: `index` is the failing event's index in the batch. */
export interface MapperFailure {
  readonly index: number;
  readonly event: EventEnvelope;
  readonly error: unknown;
}

export interface KeyedBatch {
  readonly keyed: KeyedEvent[];
  /** Number of batch events covered by `keyed` (all of them unless keyOf threw). */
  readonly covered: number;
  readonly failure: MapperFailure | undefined;
}

/**
 * Picks the events a read model reacts to and the row each goes to. Stops at the first event whose
 * `keyOf` throws: everything before it can still be applied and checkpointed.
 */
export function keyEvents(definition: ReadModelDefinition<any>, events: readonly EventEnvelope[], types: ReadonlySet<string>): KeyedBatch {
  const keyed: KeyedEvent[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (!types.has(event.type)) continue;
    let key: string | undefined;
    try {
      key = definition.keyOf(event);
    } catch (error) {
      return { keyed, covered: index, failure: { index, event, error } };
    }
    if (key !== undefined) keyed.push({ event, key });
  }
  return { keyed, covered: events.length, failure: undefined };
}

interface WorkingRow {
  data: unknown;
  version: number;
  /** Row exists in the table (so a delete must be written). */
  stored: boolean;
  changed: boolean;
  deleted: boolean;
}

export interface AppliedBatch {
  readonly writes: RowWrite[];
  /** Events whose mapper returned upsert or delete. */
  readonly changes: number;
  /** When a mapper threw: the writes cover the events before it. */
  readonly failure: MapperFailure | undefined;
}

/**
 * Applies keyed events in order to rows loaded once for the whole batch, in memory; returns the
 * final state of each touched row, so a batch writes each row once however many events hit it.
 * `indexOf` maps a keyed event back to its index in the batch for failure reports.
 */
export function applyKeyedEvents(
  definition: ReadModelDefinition<any>,
  keyed: readonly KeyedEvent[],
  loaded: ReadonlyMap<string, StoredRow>,
  indexOf: (event: EventEnvelope) => number,
): AppliedBatch {
  const working = new Map<string, WorkingRow>();
  let changes = 0;
  let failure: MapperFailure | undefined;
  for (const { event, key } of keyed) {
    let row = working.get(key);
    if (row === undefined) {
      const stored = loaded.get(key);
      row = stored === undefined
        ? { data: undefined, version: 0, stored: false, changed: false, deleted: true }
        : { data: stored.data, version: stored.version, stored: true, changed: false, deleted: false };
      working.set(key, row);
    }
    let change;
    try {
      change = definition.apply(row.deleted ? undefined : row.data, event);
    } catch (error) {
      failure = { index: indexOf(event), event, error };
      break;
    }
    if (change.kind === 'upsert') {
      row.data = change.row;
      row.version += 1;
      row.deleted = false;
      row.changed = true;
      changes += 1;
    } else if (change.kind === 'delete') {
      if (!row.deleted) changes += 1;
      row.data = undefined;
      row.deleted = true;
      row.changed = true;
    }
  }
  const writes: RowWrite[] = [];
  for (const [id, row] of working) {
    if (!row.changed) continue;
    if (!row.deleted) writes.push({ kind: 'upsert', id, data: row.data, version: row.version });
    else if (row.stored) writes.push({ kind: 'delete', id });
  }
  return { writes, changes, failure };
}

/** Replays events through a read model's mappers from nothing: the reference result for tests. */
export function replayReadModel<TRow>(definition: ReadModelDefinition<TRow>, events: readonly EventEnvelope[]): Map<string, TRow> {
  const types = new Set(definition.eventTypes);
  const rows = new Map<string, TRow>();
  for (const event of events) {
    if (!types.has(event.type)) continue;
    const key = definition.keyOf(event);
    if (key === undefined) continue;
    const change = definition.apply(rows.get(key), event);
    if (change.kind === 'upsert') rows.set(key, change.row);
    else if (change.kind === 'delete') rows.delete(key);
  }
  return rows;
}
