/**
 * Given/then for read models, in memory: events in, rows out, through the generated mappers
 * (declarative rules and custom mappers alike), exactly as the projection worker applies them.
 */
import { deepStrictEqual } from 'node:assert/strict';
import type { EventEnvelope, EventMetadata, ReadModelDefinition } from '../contracts.js';
import { replayReadModel } from '../projections/apply-events.js';
import { ScenarioFailed } from './scenario-failed.js';

/** An event as a read model sees it; envelope fields default to a scenario clock and ids. */
export interface ReadModelScenarioEvent {
  readonly type: string;
  readonly data: unknown;
  /** Default 'scenario-1'. */
  readonly aggregateId?: string;
  /** Default the read model's aggregate type (`Scenario` for a read model across aggregates). */
  readonly aggregateType?: string;
  /** Default: one second apart from 2026-01-01T00:00:00Z. */
  readonly occurredAt?: Date;
  readonly metadata?: EventMetadata;
  readonly correlationId?: string;
}

const clockStart = Date.UTC(2026, 0, 1);

export class ReadModelScenario<TRow> {
  constructor(
    private readonly readModel: ReadModelDefinition<TRow>,
    private readonly events: readonly ReadModelScenarioEvent[],
  ) {}

  /** The rows, by id: exactly these, no other. */
  thenRows(expected: Readonly<Record<string, TRow>>): void {
    const rows = Object.fromEntries(this.rows());
    try {
      deepStrictEqual(rows, expected);
    } catch (difference) {
      throw new ScenarioFailed(`${this.readModel.name} holds other rows than expected\n${(difference as Error).message}`);
    }
  }

  /** One row holds these fields (a subset); `undefined` asserts there is no such row. */
  thenRow(id: string, expected: Partial<TRow> | undefined): void {
    const row = this.rows().get(id) as Record<string, unknown> | undefined;
    if (expected === undefined) {
      if (row !== undefined) throw new ScenarioFailed(`${this.readModel.name} has a row ${JSON.stringify(id)}; expected none`);
      return;
    }
    if (row === undefined) throw new ScenarioFailed(`${this.readModel.name} has no row ${JSON.stringify(id)} (rows: ${[...this.rows().keys()].join(', ') || 'none'})`);
    const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, row[key]]));
    try {
      deepStrictEqual(picked, expected);
    } catch (difference) {
      throw new ScenarioFailed(`${this.readModel.name} row ${JSON.stringify(id)} differs from what was expected\n${(difference as Error).message}`);
    }
  }

  private rows(): Map<string, TRow> {
    const versions = new Map<string, number>();
    const envelopes = this.events.map((event, index): EventEnvelope => {
      // A read model across aggregates has no one aggregate type: its events name theirs, or share a placeholder.
      const aggregateType = event.aggregateType ?? this.readModel.aggregateType ?? 'Scenario';
      const aggregateId = event.aggregateId ?? 'scenario-1';
      const stream = `${aggregateType}\u0000${aggregateId}`;
      const version = (versions.get(stream) ?? 0) + 1;
      versions.set(stream, version);
      return {
        eventId: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
        aggregateType,
        aggregateId,
        version,
        occurredAt: event.occurredAt ?? new Date(clockStart + index * 1000),
        correlationId: event.correlationId ?? null,
        causationId: null,
        metadata: event.metadata ?? {},
        type: event.type,
        data: event.data,
        storedVersion: 1,
        position: BigInt(index + 1),
        transactionId: BigInt(index + 1),
      };
    });
    return replayReadModel(this.readModel, envelopes);
  }
}
