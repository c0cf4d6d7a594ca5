/**
 * What a formatting thread formats while it waits for its first text. A cold build hands it the
 * first file only after this thread's ts-morph has loaded (a third of a second); prettier meanwhile
 * runs several times slower than once the JIT has seen it work. Formatting generated-looking code
 * in that gap gets the JIT going on a core that would otherwise sit idle.
 */
import { formatTypeScript } from './prettier-format.js';

/** Compact generated-looking code: the constructs every generated file is made of. */
export const warmUpSample = `import type { DomainEvent, EventContext, ReadModelDefinition } from 'esgen/runtime';
import { AggregateRoot } from 'esgen/runtime';
import { type Check, checkRecord, checkString, checkNumber, optional } from '../support.js';
/** A payload, version 2 (current). */
export interface ThingChangedV2 { readonly title: string; readonly amount: number; readonly tags?: readonly string[]; readonly lines: readonly ThingLine[] }
export type ThingChanged = ThingChangedV2;
export const ThingChangedType = 'ThingChanged';
export type ThingEvent = ThingChangedEvent | ThingClosedEvent;
export function isThingChanged(event: DomainEvent): event is ThingChangedEvent { return event.type === ThingChangedType; }
const checkThingLine: Check = checkRecord('ThingLine', { sku: checkString, quantity: checkNumber, note: optional(checkString) });
export function upcastThingChanged(fromVersion: number, data: unknown): ThingChanged {
  switch (fromVersion) { case 1: return upcastThingChangedV1ToV2(data as ThingChangedV1); case 2: return data as ThingChangedV2;
    default: throw new RangeError(\`ThingChanged has no payload version \${fromVersion} (known: 1..2)\`); }
}
export abstract class ThingBase extends AggregateRoot<ThingEvent> {
  static readonly stateFingerprint = thingStateFingerprint;
  override readonly aggregateType = 'Thing';
  #state: ThingState = thingInitialState;
  get state(): Readonly<ThingState> { return this.#state; }
  protected raiseThingChanged(data: ThingChanged, options?: { occurredAt?: Date }): void { this.raiseEvent({ type: ThingChangedType, data }, options); }
  /** Applies ThingClosed to the state: use \`patchState\`. */
  protected abstract onThingClosed(data: ThingClosed, context: EventContext): void;
  protected override applyEvent(event: ThingEvent, context: EventContext): void {
    switch (event.type) {
      case ThingChangedType: this.#state = { ...this.#state, title: event.data.title, total: event.data.amount, touchedAt: context.occurredAt.toISOString() }; return;
      default: { const unknownEvent: never = event; throw new TypeError(\`Thing cannot apply event \${(unknownEvent as { type: string }).type}\`); }
    }
  }
}
export const thingListReadModel: ReadModelDefinition<ThingListRow> = {
  name: 'ThingList', projection: 'thing_list', mode: 'async', eventTypes: ['ThingChanged', 'ThingClosed'],
  keyOf: (event) => event.aggregateId,
  apply(current, event) {
    const row = current ?? thingListInitialRow;
    switch (event.type) {
      case 'ThingChanged': { const data = event.data as ThingChanged; const next: ThingListRow = { ...row, total: row.total + data.amount, largest: current === undefined || row.largest === undefined || data.amount > row.largest ? data.amount : row.largest, labels: [...row.labels, data.title] }; return { kind: 'upsert', row: next }; }
      case 'ThingClosed': return { kind: 'delete' };
      default: return { kind: 'unchanged' };
    }
  },
  indexes: [{ field: 'title', type: 'text', unique: false }],
};
`;

/**
 * Formats the sample again and again until `stop()` says real work has come (checked between
 * rounds: a text waiting in the message queue gets its turn after the round in progress), at most
 * `maxRounds` times.
 */
export async function warmUpUntil(stop: () => boolean, maxRounds = 40): Promise<void> {
  for (let round = 0; round < maxRounds && !stop(); round++) {
    await formatTypeScript(warmUpSample);
    await new Promise((resume) => setImmediate(resume));
  }
}
