/**
 * Builds a ReadModelDefinition from what a generated `read-models.ts` declares: the initial row,
 * per event the fields it changes (a function of the row and a typed envelope of that event), the
 * events that delete the row, the user's custom mappers, and how each event finds its row.
 */
import type { EventEnvelope, IndexDefinition, IndexedFieldType, ProjectionChange, ReadModelDefinition } from '../contracts.js';
import { patched, type Patch } from './spec-aggregate.js';

/** The envelope of each event of an aggregate, with its payload typed: `Envelopes<OrderEvents>['OrderPaid']`. */
export type Envelopes<TEvents> = { [K in keyof TEvents & string]: EventEnvelope<K, TEvents[K]> };

export interface ReadModelSpec<TRow, TEvents, TIndexed extends string = keyof TRow & string> {
  readonly name: string;
  readonly projection: string;
  /** The aggregate whose events it reads; a read model across aggregates names them in `aggregateTypes` instead. */
  readonly aggregateType?: string;
  readonly aggregateTypes?: readonly string[];
  readonly mode: 'inline' | 'async';
  /** The row an event starts from when the read model has none for its key yet. */
  readonly initialRow: TRow;
  /**
   * How each event finds its row (`key:` in the spec). Absent: the aggregate id, for every event.
   * Present: only these events touch the read model.
   */
  readonly keys?: { readonly [K in keyof TEvents & string]?: (event: Envelopes<TEvents>[K]) => string | undefined };
  /** The fields each event sets (declarative rules); `row` is the current row or the initial one, `current` the stored row. */
  readonly on?: { readonly [K in keyof TEvents & string]?: (row: TRow, event: Envelopes<TEvents>[K], current: TRow | undefined) => Patch<TRow> };
  /** Events that delete the row. */
  readonly delete?: readonly (keyof TEvents & string)[];
  /** The user's mappers, run after the declarative rules with the row they produced (`next`). */
  readonly custom?: { readonly [K in keyof TEvents & string]?: (next: TRow, event: Envelopes<TEvents>[K], current: TRow | undefined) => ProjectionChange<TRow> };
  readonly indexes?: readonly IndexDefinition<TIndexed>[];
  /** The row's scalar fields and how their values compare (see ReadModelDefinition.scalars). */
  readonly scalars?: Readonly<Record<string, IndexedFieldType>>;
  /** Changes when the mapping rules change: a rebuild is due. */
  readonly fingerprint: string;
}

type Rule<TRow> = (row: TRow, event: EventEnvelope, current: TRow | undefined) => Patch<TRow>;
type Mapper<TRow> = (next: TRow, event: EventEnvelope, current: TRow | undefined) => ProjectionChange<TRow>;
type KeyOf = (event: EventEnvelope) => string | undefined;

const byAggregate: KeyOf = (event) => event.aggregateId;

/**
 * @example
 * export const orderListReadModel = defineReadModel<OrderListRow, OrderEvents, 'createdAt'>({
 *   name: 'OrderList', projection: 'order_list', aggregateType: 'Order', mode: 'async', fingerprint: '…',
 *   initialRow: { status: 'pending' },
 *   on: { OrderPaid: () => ({ status: 'paid' }) },
 * });
 */
export function defineReadModel<TRow, TEvents, TIndexed extends string = keyof TRow & string>(spec: ReadModelSpec<TRow, TEvents, TIndexed>): ReadModelDefinition<TRow, TIndexed> {
  const rules = (spec.on ?? {}) as Readonly<Record<string, Rule<TRow>>>;
  const mappers = (spec.custom ?? {}) as Readonly<Record<string, Mapper<TRow>>>;
  const keys = spec.keys as Readonly<Record<string, KeyOf>> | undefined;
  const deletes = new Set<string>(spec.delete ?? []);
  // With a computed key only events that say how to find their row touch the read model.
  const eventTypes = keys ? Object.keys(keys) : [...new Set([...Object.keys(rules), ...deletes, ...Object.keys(mappers)])];
  const reacts = new Set(eventTypes);
  return {
    name: spec.name,
    projection: spec.projection,
    ...(spec.aggregateType !== undefined ? { aggregateType: spec.aggregateType } : {}),
    aggregateTypes: spec.aggregateTypes ?? (spec.aggregateType !== undefined ? [spec.aggregateType] : []),
    mode: spec.mode,
    eventTypes,
    keyOf: keys ? (event) => keys[event.type]?.(event) : byAggregate,
    apply(current, event) {
      if (!reacts.has(event.type)) return { kind: 'unchanged' };
      if (deletes.has(event.type)) return { kind: 'delete' };
      const row = current ?? spec.initialRow;
      const rule = rules[event.type];
      const next: TRow = rule ? (patched(row as TRow & object, rule(row, event, current) as Patch<TRow & object>) as TRow) : row;
      const mapper = mappers[event.type];
      return mapper ? mapper(next, event, current) : { kind: 'upsert', row: next };
    },
    indexes: spec.indexes ?? [],
    ...(spec.scalars === undefined ? {} : { scalars: spec.scalars }),
    fingerprint: spec.fingerprint,
  };
}
