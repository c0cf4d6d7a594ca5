import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../runtime/contracts.js';
import { createEventStore, type GlobalPosition, type PostgresEventStore } from '../../runtime/store/event-store.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { feedSql } from '../../runtime/store/feed-statements.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';
import { registry } from './fixtures/bank-account.js';

const opened = () => ({ type: 'AccountOpened', data: { owner: 'Ada', currency: 'EUR' } });
const deposited = (amount: number) => ({ type: 'MoneyDeposited', data: { amount } });

/** Global order: transaction id, then position. */
function compare(a: GlobalPosition, b: GlobalPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return a.position === b.position ? 0 : a.position < b.position ? -1 : 1;
}

async function readEverything(store: PostgresEventStore, after: GlobalPosition | null, limit: number) {
  const events: EventEnvelope[] = [];
  let checkpoint = after;
  for (;;) {
    const page = await store.readAllAfter(checkpoint, { limit });
    events.push(...page.events);
    checkpoint = page.last;
    if (page.events.length < limit) return { events, checkpoint };
  }
}

/** A latch: resolves `reached` when the holder arrives, then waits for `release()`. */
function gate() {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { reached, release, hold: async () => (arrive(), released) };
}

describe('readAllAfter', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    store = createEventStore({ client: db.client, registry, schema: db.schema });
  });
  afterAll(() => db.dispose());

  it('returns an empty page and the given checkpoint when there is nothing to read', async () => {
    expect(await store.readAllAfter(null)).toEqual({ events: [], last: null });
    expect(await store.headPosition()).toBeNull();
    const checkpoint = { transactionId: 5n, position: 7n };
    expect(await store.readAllAfter(checkpoint)).toEqual({ events: [], last: checkpoint });
  });

  it('pages through every event exactly once in (transaction id, position) order', async () => {
    for (let i = 0; i < 30; i++) {
      await store.appendToStream('BankAccount', `page-${i}`, [opened(), ...Array.from({ length: i % 4 }, (_, k) => deposited(k + 1))], {
        expectedVersion: 0,
      });
    }
    const { events, checkpoint } = await readEverything(store, null, 7);
    expect(events).toHaveLength(Array.from({ length: 30 }, (_, i) => 1 + (i % 4)).reduce((sum, n) => sum + n, 0));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const sorted = [...events].sort(compare);
    expect(events.map((e) => e.eventId)).toEqual(sorted.map((e) => e.eventId));
    expect(checkpoint).toEqual({ transactionId: events.at(-1)!.transactionId, position: events.at(-1)!.position });
    expect(await store.headPosition()).toEqual(checkpoint);
    // Envelopes are upcast and complete.
    expect(events[0]).toMatchObject({ type: 'AccountOpened', storedVersion: 2, version: 1, data: { owner: 'Ada', currency: 'EUR' } });
    // Nothing after the head.
    expect((await store.readAllAfter(checkpoint)).events).toEqual([]);
  });

  it('filters by event type while the checkpoint still advances', async () => {
    const head = await store.headPosition();
    await store.appendToStream('BankAccount', 'typed', [opened(), deposited(1), { type: 'MoneyWithdrawn', data: { amount: 1 } }, deposited(2)], {
      expectedVersion: 0,
    });
    const page = await store.readAllAfter(head, { eventTypes: ['MoneyWithdrawn', 'AccountOpened'] });
    expect(page.events.map((e) => e.type)).toEqual(['AccountOpened', 'MoneyWithdrawn']);
    expect(page.last).toEqual({ transactionId: page.events[1]!.transactionId, position: page.events[1]!.position });
  });

  describe('on a table filled a moment ago, without planner statistics', () => {
    const schema = () => `${db.schema}_fresh`;
    let fresh: PostgresEventStore;
    const streams = 200;
    const perStream = 300;

    beforeAll(async () => {
      await migrate(db.client, { schema: schema() });
      fresh = createEventStore({ client: db.client, registry, schema: schema() });
      // 60,000 events in transactions of 10,000, as a bulk write leaves them: per stream one
      // AccountOpened (rare: 0.3%), every 7th event a withdrawal, deposits otherwise.
      for (let from = 0; from < streams * perStream; from += 10_000) {
        await db.client.query(
          `INSERT INTO ${schema()}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
           SELECT gen_random_uuid(), 'BankAccount', 'fresh-' || (i % ${streams}), i / ${streams} + 1,
                  CASE WHEN i < ${streams} THEN 'AccountOpened' WHEN i % 7 = 0 THEN 'MoneyWithdrawn' ELSE 'MoneyDeposited' END,
                  CASE WHEN i < ${streams} THEN 2 ELSE 1 END,
                  CASE WHEN i < ${streams} THEN '{"owner":"Ada","currency":"EUR"}'::jsonb ELSE jsonb_build_object('amount', 1 + i % 89) END,
                  now()
           FROM generate_series($1::int, $2::int) AS i`,
          [from, from + 9_999],
        );
      }
      // Whatever analyzed it meanwhile (PGlite's auto-analyze, autovacuum): no statistics at all.
      await db.client.query(`DELETE FROM pg_statistic WHERE starelid = '${schema()}.events'::regclass`);
    });

    /** Buffers one feed page touches (the function scan counts the reads of the function's queries). */
    async function buffersOfPage(sql: string, params: unknown[]): Promise<number> {
      const result = await db.client.query<Record<string, any>>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
      const plan = (result.rows[0]!['QUERY PLAN'] as any[])[0].Plan;
      const total = (node: any): number =>
        Math.max((node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0), ...(node.Plans ?? []).map(total));
      return total(plan);
    }

    it('reads a page with work bounded by the page, never every remaining row of its types', async () => {
      const { rows } = await db.client.query<{ pages: number }>(`SELECT pg_relation_size('${schema()}.events') / 8192 AS pages`);
      const tablePages = Number(rows[0]!.pages);
      const sql = feedSql(`"${schema()}"`);
      const cases: Array<[string, string, unknown[]]> = [
        ['every type', sql.page, ['0', '0', 500]],
        ['a dense type', sql.pageOfTypes, ['0', '0', 500, ['MoneyDeposited']]],
        ['dense and rare types together', sql.pageOfTypes, ['0', '0', 500, ['MoneyWithdrawn', 'AccountOpened']]],
        ['a rare type', sql.pageOfTypes, ['0', '0', 500, ['AccountOpened']]],
      ];
      for (const [name, statement, params] of cases) {
        const buffers = await buffersOfPage(statement, params);
        // A bitmap scan and sort of every matching row reads most of the table for each page.
        expect({ name, buffers: buffers < tablePages / 4 }).toEqual({ name, buffers: true });
      }
    });

    it('returns, page by page, exactly the events of the types asked for, in global order', async () => {
      const all = (await readEverything(fresh, null, 5_000)).events;
      expect(all).toHaveLength(streams * perStream);
      for (const types of [['AccountOpened'], ['MoneyWithdrawn', 'AccountOpened'], ['MoneyDeposited', 'MoneyDeposited']]) {
        const typed: EventEnvelope[] = [];
        let checkpoint: GlobalPosition | null = null;
        for (;;) {
          const page = await fresh.readAllAfter(checkpoint, { limit: 700, eventTypes: types });
          typed.push(...page.events);
          checkpoint = page.last;
          if (page.events.length < 700) break;
        }
        const expected = all.filter((event) => types.includes(event.type));
        expect(typed.map((event) => event.position)).toEqual(expected.map((event) => event.position));
      }
    });
  });

  describe.runIf(onServer)('gap safety (server: concurrent transactions)', () => {
    it('never shows a later transaction’s event while an earlier one is still open, and returns both after it commits', async () => {
      const start = await store.headPosition();
      const a = gate();
      const holding = createEventStore({ client: db.client, registry, schema: db.schema, onAppend: () => a.hold() });
      const appendA = holding.appendToStream('BankAccount', 'gap-a', [opened()], { expectedVersion: 0 });
      await a.reached; // A has inserted and its transaction is open.
      const b = await store.appendToStream('BankAccount', 'gap-b', [opened()], { expectedVersion: 0 });
      const whileOpen = await store.readAllAfter(start);
      expect(whileOpen.events.map((e) => e.aggregateId)).toEqual([]);
      expect(whileOpen.last).toEqual(start);
      a.release();
      const [envelopeA] = (await appendA).envelopes;
      expect(envelopeA!.position).toBeLessThan(b.envelopes[0]!.position);
      const after = await store.readAllAfter(whileOpen.last);
      expect(after.events.map((e) => e.aggregateId)).toEqual(['gap-a', 'gap-b']);
    });

    it('returns an event that took a lower position but committed after a reader moved past a higher one', async () => {
      const start = await store.headPosition();
      // B gets its transaction id first; A then inserts (lower position), B inserts (higher position)
      // and commits while A is still open.
      const inserted = gate();
      const a = gate();
      let appendA: Promise<unknown> | undefined;
      const holding = createEventStore({
        client: db.client,
        registry,
        schema: db.schema,
        onAppend: async () => {
          inserted.release();
          await a.hold();
        },
      });
      await db.client.transaction(async (tx) => {
        await tx.query('SELECT pg_current_xact_id()');
        appendA = holding.appendToStream('BankAccount', 'late-a', [opened()], { expectedVersion: 0 });
        await a.reached;
        await tx.query(
          `INSERT INTO ${db.schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
           VALUES ($1, 'BankAccount', 'late-b', 1, 'AccountOpened', 2, '{"owner":"B","currency":"EUR"}', now())`,
          [randomUUID()],
        );
      });
      const first = await store.readAllAfter(start);
      expect(first.events.map((e) => e.aggregateId)).toEqual(['late-b']);
      a.release();
      await appendA;
      const second = await store.readAllAfter(first.last);
      expect(second.events.map((e) => e.aggregateId)).toEqual(['late-a']);
      // A reader checkpointing on the position alone would have skipped A for good.
      expect(second.events[0]!.position).toBeLessThan(first.events[0]!.position);
    });

    it('delivers every event exactly once to a reader polling while 8 writers append', async () => {
      const written = 8 * (1 + Array.from({ length: 39 }, (_, i) => 1 + ((i + 1) % 3)).reduce((s, n) => s + n, 0));
      const start = await store.headPosition();
      const seen: EventEnvelope[] = [];
      let checkpoint = start;
      let writing = true;
      // An empty page does not mean "caught up": a transaction of another suite on this server holds
      // the xmin horizon back. So after the writers finish, the reader polls until it has as many
      // events as were written (a skipped event shows as a shortfall when the deadline passes).
      let deadline = Number.POSITIVE_INFINITY;
      const reader = (async () => {
        for (;;) {
          const done = !writing;
          const page = await store.readAllAfter(checkpoint, { limit: 50 });
          seen.push(...page.events);
          checkpoint = page.last;
          if (done && page.events.length === 0 && (seen.length >= written || Date.now() > deadline)) return;
          if (done && page.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 40; i++) {
          const events = i === 0 ? [opened()] : Array.from({ length: 1 + (i % 3) }, (_, k) => deposited(k + 1));
          await store.appendToStream('BankAccount', `poll-${w}`, events, { expectedVersion: 'any' });
        }
      });
      await Promise.all(writers);
      deadline = Date.now() + 20_000;
      writing = false;
      await reader;
      const ids = seen.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(written);
      const stored = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.events WHERE aggregate_id LIKE 'poll-%'`);
      expect(stored.rows[0]!.n).toBe(written);
    });
  });
});
