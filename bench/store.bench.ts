/**
 * Event store benchmarks: esgen against the plain driver (`pg` Pool, or raw PGlite) issuing the
 * same SQL on the same table shape, in one run, in separate schemas that grow alike (repetitions
 * alternate which contender goes first). Medians of several repetitions.
 *
 *   npm run bench -- --only store                  all workloads, server then PGlite
 *   npm run bench -- --only store:load             workloads whose `<backend>.<name>` contains "load"
 *   npm run bench -- --only store:pglite.readall   one workload on one backend
 * Workloads: single, batch, concurrent (server), load, snapshot, readall.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { EventContext, Registry } from '../runtime/contracts.js';
import { createPgClient } from '../runtime/pg-client.js';
import { createPgliteClient } from '../runtime/pglite-client.js';
import type { SqlClient } from '../runtime/sql-client.js';
import { migrate } from '../runtime/migrations/migrate.js';
import { createEventStore, type GlobalPosition, type PostgresEventStore } from '../runtime/store/event-store.js';
import { createRepository } from '../runtime/repository/event-sourced-repository.js';
import { appendStatements, MAX_VERSION } from '../runtime/store/append-statement.js';
import { readStatements } from '../runtime/store/read-statements.js';
import { eventsChannel } from '../runtime/store/notify-channel.js';
import { BankAccount, bankAccountDefinition, registry } from '../test/runtime/fixtures/bank-account.js';
import type { BenchOptions } from './run.js';
import { createBenchDatabase } from './support/bench-database.js';
import { compare } from './support/measure.js';
import { formatNumber, printTable } from './support/print-table.js';

/**
 * The driver-level baseline: one function, so `pg` and PGlite baselines share the workload code.
 * `name` makes it a named prepared statement (pg only), as esgen does by default.
 */
type RawQuery = (sql: string, params: unknown[], name?: string) => Promise<{ rows: any[] }>;

/** One unit of a workload: see compare() in support/measure.ts. */
type Unit = (repetition: number, unit: number) => Promise<unknown>;

interface Side {
  readonly schema: string;
  readonly quoted: string;
}

const side = (schema: string): Side => ({ schema, quoted: `"${schema}"` });
const ESGEN = side('bench_esgen');
const QUIET = side('bench_esgen_quiet');
const RAW = side('bench_raw');
const RAW_QUIET = side('bench_raw_quiet');
// Read-all reads tables of its own, filled alike: the tables the append workloads leave behind
// differ (rows of rolled-back conflicts, interleaving of concurrent writers).
const READ_ESGEN = side('bench_read_esgen');
const READ_RAW = side('bench_read_raw');

const OPENED = { owner: 'Ada Lovelace', currency: 'EUR' };
const deposit = (i: number) => ({ amount: 1 + (i % 97) });

interface Row {
  readonly workload: string;
  readonly unit: string;
  readonly raw: number;
  /** The baseline with named prepared statements (server only). */
  readonly rawPrepared?: number;
  readonly esgen: number;
  /** esgen speed as a fraction of the baseline's (higher is better). */
  readonly ratio: number;
  readonly ratioPrepared?: number;
  readonly target: string;
}

interface Sizes {
  readonly singleAggregates: number;
  readonly batchCalls: number;
  readonly writerAppends: number;
  readonly repetitions: number;
  readonly loadRepetitions: number;
  readonly readAllPages: number;
}

const SERVER_SIZES: Sizes = { singleAggregates: 2000, batchCalls: 200, writerAppends: 1000, repetitions: 5, loadRepetitions: 7, readAllPages: 40 };
const PGLITE_SIZES: Sizes = { singleAggregates: 500, batchCalls: 100, writerAppends: 0, repetitions: 3, loadRepetitions: 5, readAllPages: 20 };

export default async function storeBench(options: BenchOptions): Promise<void> {
  if (!options.only?.startsWith('pglite')) await serverBench(options);
  if (!options.only?.startsWith('server')) await pgliteBench(options);
}

async function serverBench(options: BenchOptions): Promise<void> {
  const database = await createBenchDatabase('store', options.databaseUrl, { synchronousCommit: false });
  try {
    const client = await createPgClient({ connectionString: database.url, poolConfig: { max: 8 } });
    const pool = new pg.Pool({ connectionString: database.url, max: 8 });
    pool.on('error', () => undefined); // DROP DATABASE … WITH (FORCE) at the end closes what is still open
    try {
      const raw: RawQuery = (sql, params, name) => (name === undefined ? pool.query(sql, params) : pool.query({ name, text: sql, values: params }));
      const rows = await runWorkloads('server', client, raw, SERVER_SIZES, options.only);
      report(
        `event store on the PostgreSQL server, database ${database.name} with synchronous_commit = off (the per-commit WAL flush is the same for both sides and only adds noise); baseline = plain pg, same SQL`,
        rows,
      );
    } finally {
      await pool.end();
      await client.close();
    }
  } finally {
    await database.drop();
  }
}

async function pgliteBench(options: BenchOptions): Promise<void> {
  const lite = await PGlite.create();
  try {
    const client = await createPgliteClient({ db: lite });
    const rows = await runWorkloads('pglite', client, (sql, params) => lite.query(sql, params), PGLITE_SIZES, options.only);
    report('event store on embedded PGlite (in memory; esgen vs raw PGlite queries, same SQL)', rows);
  } finally {
    await lite.close();
  }
}

function report(title: string, rows: readonly Row[]): void {
  printTable(
    title,
    ['workload', 'unit', 'baseline', 'baseline prepared', 'esgen', 'esgen/baseline', 'esgen/prepared', 'target'],
    rows.map((row) => [
      row.workload,
      row.unit,
      formatNumber(row.raw, row.unit === 'ms' ? 2 : 0),
      row.rawPrepared === undefined ? '–' : formatNumber(row.rawPrepared, row.unit === 'ms' ? 2 : 0),
      formatNumber(row.esgen, row.unit === 'ms' ? 2 : 0),
      formatNumber(row.ratio, 2),
      row.ratioPrepared === undefined ? '–' : formatNumber(row.ratioPrepared, 2),
      row.target,
    ]),
  );
}

async function runWorkloads(backend: 'server' | 'pglite', client: SqlClient, raw: RawQuery, sizes: Sizes, only: string | undefined): Promise<Row[]> {
  const wanted = (name: string) => only === undefined || `${backend}.${name}`.includes(only);
  const server = backend === 'server';
  for (const s of [ESGEN, QUIET, RAW, RAW_QUIET]) await migrate(client, { schema: s.schema });
  const store = createEventStore({ client, registry, schema: ESGEN.schema });
  const quietStore = createEventStore({ client, registry, schema: QUIET.schema, notify: false });
  const rawAppend = appendStatements(RAW.quoted, eventsChannel(RAW.schema));
  const rawQuietAppend = appendStatements(RAW_QUIET.quoted, undefined);
  const rows: Row[] = [];
  // The prepared baseline runs on the server only (PGlite has no round trip to save).
  const withPrepared = <T extends Record<string, Unit>>(contenders: T, prepared: Unit): T & { rawPrepared?: Unit } =>
    server ? { ...contenders, rawPrepared: prepared } : contenders;

  if (wanted('single')) {
    const { singleAggregates: aggregates, repetitions } = sizes;
    // Small units: contenders alternate every 10 appends, so load from other processes hits all alike.
    const block = 10;
    const blocks = aggregates / block;
    const events = aggregates * 5;
    // Unit u: round u / blocks (0 opens the accounts, 1..4 deposit), aggregates of block u % blocks.
    const esgenSingle = (target: PostgresEventStore) => async (rep: number, unit: number) => {
      const round = Math.floor(unit / blocks);
      const first = (unit % blocks) * block;
      for (let a = first; a < first + block; a++) {
        const event = round === 0 ? { type: 'AccountOpened', data: OPENED } : { type: 'MoneyDeposited', data: deposit(a) };
        await target.appendToStream('BankAccount', `single-${rep}-${a}`, [event], { expectedVersion: round });
      }
    };
    const rawSingle = (sql: string, prefix: string, name?: string) => async (rep: number, unit: number) => {
      const round = Math.floor(unit / blocks);
      const first = (unit % blocks) * block;
      for (let a = first; a < first + block; a++) {
        const [type, version, data] = round === 0 ? ['AccountOpened', 2, OPENED] : ['MoneyDeposited', 1, deposit(a)];
        const params = ['BankAccount', `${prefix}-${rep}-${a}`, round, round, randomUUID(), type, version, JSON.stringify(data), new Date().toISOString(), null, null, null];
        const result = await raw(sql, params, name);
        if (result.rows.length !== 1) throw new Error('baseline append conflicted');
      }
    };
    const medians = await compare(
      repetitions,
      blocks * 5,
      withPrepared(
        {
          esgen: esgenSingle(store),
          raw: rawSingle(rawAppend.single, 'single'),
          esgenQuiet: esgenSingle(quietStore),
          rawQuiet: rawSingle(rawQuietAppend.single, 'single'),
        },
        rawSingle(rawAppend.single, 'prepared', 'bench_append_single'),
      ),
    );
    rows.push(
      throughputRow(`single appends (${formatNumber(aggregates)} aggregates × 5), with NOTIFY`, events, medians, '≥ 0.85'),
      throughputRow(`single appends, notify: false`, events, { raw: medians.rawQuiet, esgen: medians.esgenQuiet }, '≥ 0.85'),
      {
        workload: '  cost of NOTIFY: esgen notify: false → esgen default',
        unit: 'events/s',
        raw: (events / medians.esgenQuiet) * 1000,
        esgen: (events / medians.esgen) * 1000,
        ratio: medians.esgenQuiet / medians.esgen,
        target: '',
      },
    );
  }

  if (wanted('batch')) {
    const { batchCalls: calls, repetitions } = sizes;
    const events = calls * 50;
    const batchEvents = [{ type: 'AccountOpened', data: OPENED }, ...Array.from({ length: 49 }, (_, i) => ({ type: 'MoneyDeposited', data: deposit(i) }))];
    const rawBatch = (prefix: string, name?: string) => async (rep: number, call: number) => {
      const at = new Date().toISOString();
      const params = [
        'BankAccount',
        `${prefix}-${rep}-${call}`,
        0,
        0,
        batchEvents.map(() => randomUUID()),
        batchEvents.map((e) => e.type),
        batchEvents.map((e) => (e.type === 'AccountOpened' ? 2 : 1)),
        batchEvents.map((e) => JSON.stringify(e.data)),
        batchEvents.map(() => at),
        null,
        null,
        null,
      ];
      const result = await raw(rawAppend.batch, params, name);
      if (result.rows.length !== 50) throw new Error('baseline batch append conflicted');
    };
    const medians = await compare(
      repetitions,
      calls,
      withPrepared(
        {
          esgen: (rep: number, call: number) => store.appendToStream('BankAccount', `batch-${rep}-${call}`, batchEvents, { expectedVersion: 0 }),
          raw: rawBatch('batch'),
        },
        rawBatch('batch-prepared', 'bench_append_batch'),
      ),
    );
    rows.push(throughputRow(`batch appends (50 events per call, ${formatNumber(calls)} calls)`, events, medians, '≥ 0.85'));
  }

  if (wanted('concurrent') && server) {
    const { writerAppends, repetitions } = sizes;
    const writers = 8;
    const block = 5;
    const blocks = writerAppends / 5 / block;
    // Unit u: all 8 writers at once, each appending to its own `block` aggregates in round u / blocks.
    const concurrently = (append: (id: string, round: number, a: number) => Promise<void>, prefix: string) => (rep: number, unit: number) => {
      const round = Math.floor(unit / blocks);
      const first = (unit % blocks) * block;
      return Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let a = first; a < first + block; a++) await append(`${prefix}-${rep}-${w}-${a}`, round, a);
        }),
      );
    };
    const rawAppendOne = (name?: string) => async (id: string, round: number, a: number) => {
      const [type, version, data] = round === 0 ? ['AccountOpened', 2, OPENED] : ['MoneyDeposited', 1, deposit(a)];
      const params = ['BankAccount', id, round, round, randomUUID(), type, version, JSON.stringify(data), new Date().toISOString(), null, null, null];
      const result = await raw(rawAppend.single, params, name);
      if (result.rows.length !== 1) throw new Error('baseline append conflicted');
    };
    const esgenAppendOne = async (id: string, round: number, a: number) => {
      const event = round === 0 ? { type: 'AccountOpened', data: OPENED } : { type: 'MoneyDeposited', data: deposit(a) };
      await store.appendToStream('BankAccount', id, [event], { expectedVersion: round });
    };
    const medians = await compare(
      repetitions,
      blocks * 5,
      withPrepared(
        { esgen: concurrently(esgenAppendOne, 'writer'), raw: concurrently(rawAppendOne(), 'writer') },
        concurrently(rawAppendOne('bench_append_single'), 'writer-prepared'),
      ),
    );
    rows.push(throughputRow(`8 concurrent writers (single appends, with NOTIFY)`, writers * writerAppends, medians, '≥ 0.85'));
  }

  if (wanted('load')) {
    await seedStream(store, raw, RAW, 'load-1000', 1000);
    const repository = createRepository(store, bankAccountDefinition());
    const replaySql = readStatements(RAW.quoted).replay;
    const loads = 20;
    const balances = new Set<number>();
    const rawLoads = (name?: string) => async () => {
      balances.add((await rawLoad(raw, replaySql, registry, 'load-1000', name)).state.balance);
    };
    const medians = await compare(
      sizes.loadRepetitions,
      loads,
      withPrepared(
        {
          esgen: async () => {
            balances.add((await repository.load('load-1000')).state.balance);
          },
          raw: rawLoads(),
        },
        rawLoads('bench_replay'),
      ),
    );
    if (balances.size !== 1) throw new Error('esgen and the baseline loaded different states');
    rows.push(latencyRow('load a 1,000-event aggregate (read + upcast + apply)', loads, medians, '≥ 0.75'));
  }

  if (wanted('snapshot')) {
    // 10,000 events, snapshot every 100, and the worst tail: the last snapshot is 100 events back.
    const definition = bankAccountDefinition({ snapshotEvery: 100 });
    const snapshotting = createRepository(store, definition);
    const big = snapshotting.create('snapshot-10000');
    big.open('Ada');
    for (let i = 1; i < 9900; i++) {
      big.deposit(1 + (i % 13));
      if (big.version % 100 === 0) await snapshotting.save(big);
    }
    await snapshotting.save(big);
    await store.appendToStream('BankAccount', 'snapshot-10000', Array.from({ length: 100 }, (_, i) => ({ type: 'MoneyDeposited', data: deposit(i) })), {
      expectedVersion: 9900,
    });
    const plain = createRepository(store, bankAccountDefinition());
    const small = plain.create('plain-100');
    small.open('Ada');
    for (let i = 1; i < 100; i++) small.deposit(1 + (i % 13));
    await plain.save(small);
    const loads = 20;
    const medians = await compare(sizes.loadRepetitions, loads, {
      big: async () => {
        if ((await snapshotting.load('snapshot-10000')).version !== 10_000) throw new Error('wrong version');
      },
      small: async () => {
        if ((await plain.load('plain-100')).version !== 100) throw new Error('wrong version');
      },
      bigWithoutSnapshot: async (_rep: number, unit: number) => {
        if (unit < 2) await plain.load('snapshot-10000');
      },
    });
    rows.push({
      workload: 'esgen: load 10,000 events, snapshot every 100 (tail 100) | 100 events',
      unit: 'ms',
      raw: medians.small / loads,
      esgen: medians.big / loads,
      ratio: medians.big / medians.small,
      target: 'ratio = time ×, < 3',
    });
    rows.push({
      workload: '  esgen: the same 10,000 events without snapshots | 100 events',
      unit: 'ms',
      raw: medians.small / loads,
      esgen: medians.bigWithoutSnapshot / 2,
      ratio: medians.bigWithoutSnapshot / 2 / (medians.small / loads),
      target: '(for scale)',
    });
  }

  if (wanted('readall')) {
    const pages = sizes.readAllPages;
    for (const target of [READ_ESGEN, READ_RAW]) {
      await migrate(client, { schema: target.schema });
      for (let i = 0; i < pages; i++) await fill(client, target, i, 1000);
      await client.query(`ANALYZE ${target.quoted}.events`);
    }
    const readStore = createEventStore({ client, registry, schema: READ_ESGEN.schema });
    const rawSql = readStatements(READ_RAW.quoted).allAfter;
    // Each contender pages through from the start in every repetition, one page per unit.
    const rawReadAll = (name?: string) => {
      let after = ['0', '0'];
      return async (_rep: number, page: number) => {
        if (page === 0) after = ['0', '0'];
        const { rows: events } = await raw(rawSql, [after[0], after[1], 1000], name);
        if (events.length !== 1000) throw new Error('short page');
        const last = events[events.length - 1];
        after = [last.transaction_id, last.position];
      };
    };
    let esgenAfter: GlobalPosition | null = null;
    const medians = await compare(
      sizes.loadRepetitions,
      pages,
      withPrepared(
        {
          esgen: async (_rep: number, page: number) => {
            if (page === 0) esgenAfter = null;
            const result = await readStore.readAllAfter(esgenAfter, { limit: 1000 });
            if (result.events.length !== 1000) throw new Error('short page');
            esgenAfter = result.last;
          },
          raw: rawReadAll(),
        },
        rawReadAll('bench_read_all'),
      ),
    );
    rows.push(throughputRow(`read all, pages of 1,000 (${pages} pages)`, pages * 1000, medians, '≥ 0.8'));
  }
  return rows;
}

interface Medians {
  readonly raw: number;
  readonly esgen: number;
  readonly rawPrepared?: number;
}

function throughputRow(workload: string, events: number, medians: Medians, target: string): Row {
  const perSecond = (ms: number) => (events / ms) * 1000;
  return {
    workload,
    unit: 'events/s',
    raw: perSecond(medians.raw),
    esgen: perSecond(medians.esgen),
    ratio: medians.raw / medians.esgen,
    ...(medians.rawPrepared === undefined ? {} : { rawPrepared: perSecond(medians.rawPrepared), ratioPrepared: medians.rawPrepared / medians.esgen }),
    target,
  };
}

function latencyRow(workload: string, calls: number, medians: Medians, target: string): Row {
  return {
    workload,
    unit: 'ms',
    raw: medians.raw / calls,
    esgen: medians.esgen / calls,
    ratio: medians.raw / medians.esgen,
    ...(medians.rawPrepared === undefined ? {} : { rawPrepared: medians.rawPrepared / calls, ratioPrepared: medians.rawPrepared / medians.esgen }),
    target,
  };
}

/** The same stream in the esgen schema and the baseline's: a v1 AccountOpened row, then deposits and withdrawals. */
async function seedStream(store: PostgresEventStore, raw: RawQuery, rawSide: Side, id: string, length: number): Promise<void> {
  for (const quoted of [`"${store.schema}"`, rawSide.quoted]) {
    await raw(
      `INSERT INTO ${quoted}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       VALUES ($1, 'BankAccount', $2, 1, 'AccountOpened', 1, '{"owner":"Ada"}', now())`,
      [randomUUID(), id],
    );
    const append = appendStatements(quoted, undefined).batch;
    for (let version = 1; version < length; version += 100) {
      const count = Math.min(100, length - version);
      const types = Array.from({ length: count }, (_, i) => ((version + i) % 5 === 0 ? 'MoneyWithdrawn' : 'MoneyDeposited'));
      const at = new Date().toISOString();
      await raw(append, [
        'BankAccount',
        id,
        version,
        version,
        types.map(() => randomUUID()),
        types,
        types.map(() => 1),
        types.map((type, i) => JSON.stringify(type === 'MoneyWithdrawn' ? { amount: 3, reason: `r${i}` } : deposit(version + i))),
        types.map(() => at),
        JSON.stringify({ source: 'bench' }),
        randomUUID(),
        null,
      ]);
    }
  }
}

async function fill(client: SqlClient, target: Side, i: number, count: number): Promise<void> {
  const append = appendStatements(target.quoted, undefined).batch;
  const at = new Date().toISOString();
  await client.query(append, [
    'BankAccount',
    `fill-${i}`,
    0,
    0,
    Array.from({ length: count }, () => randomUUID()),
    Array.from({ length: count }, (_, k) => (k === 0 ? 'AccountOpened' : 'MoneyDeposited')),
    Array.from({ length: count }, () => 1),
    Array.from({ length: count }, (_, k) => JSON.stringify(k === 0 ? { owner: 'Fill' } : deposit(k))),
    Array.from({ length: count }, () => at),
    null,
    null,
    null,
  ]);
}

/** What a careful hand-written loader does with plain SQL: read, upcast, apply. */
async function rawLoad(raw: RawQuery, sql: string, events: Registry, id: string, name?: string): Promise<BankAccount> {
  const { rows } = await raw(sql, ['BankAccount', id, 1, MAX_VERSION], name);
  const account = new BankAccount(id);
  for (const row of rows) {
    const definition = events.events[row.event_type]!;
    const data = row.event_version === definition.version ? row.event_data : definition.upcast(row.event_version, row.event_data);
    const context: EventContext = {
      eventId: row.event_id,
      aggregateType: 'BankAccount',
      aggregateId: id,
      version: row.version,
      occurredAt: row.occurred_at,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      metadata: row.metadata ?? {},
    };
    account.replay({ type: row.event_type, data }, context);
  }
  return account;
}
