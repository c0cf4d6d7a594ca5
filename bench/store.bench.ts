/**
 * Event store benchmarks against what a user would otherwise write (bench/support/plain-baseline.ts):
 * plain `pg` inserting the design's event rows into the design's table (its columns, primary key and
 * unique constraint, no esgen index), unprepared and prepared, with the server's default
 * synchronous_commit; on PGlite, the same plain insert through raw PGlite queries. Contenders take
 * turns unit by unit in one run (support/measure.ts); figures are medians of several repetitions.
 *
 *   npm run bench -- --only store                      every workload, server then PGlite
 *   npm run bench -- --only store:concurrent           workloads whose `<backend>.<name>` contains "concurrent"
 *   npm run bench -- --only store:server.wakeup        the wake-up alternatives (server)
 * Workloads: single, batch, concurrent (server: with an async read model running, and append →
 * visible latency), load, readall, bulk, pii (appends and loads with 2 personal fields against the
 * same events without, key cache warm; forgetting a subject of 10,000 events), rebuild (server),
 * wakeup (server).
 * BENCH_REBUILD_EVENTS (default 1,000,000) sizes the table the rebuild reads right after it is filled.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { check, defineAggregate, defineRegistry } from '../runtime/codegen/index.js';
import { PersonalDataVault } from '../runtime/personal-data/personal-data-vault.js';
import { localMasterKey } from '../runtime/personal-data/master-key.js';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { EventContext, EventEnvelope, Registry } from '../runtime/contracts.js';
import { createPgClient } from '../runtime/pg-client.js';
import { createPgliteClient } from '../runtime/pglite-client.js';
import type { SqlClient } from '../runtime/sql-client.js';
import { migrate } from '../runtime/migrations/migrate.js';
import { createEventStore, type EventStoreOptions, type GlobalPosition, type PostgresEventStore } from '../runtime/store/event-store.js';
import { createRepository } from '../runtime/repository/event-sourced-repository.js';
import { appendStatements } from '../runtime/store/append-statement.js';
import { createReadModelManager, type ReadModelManager } from '../runtime/projections/read-model-manager.js';
import { createEventReplayer } from '../runtime/projections/event-replayer.js';
import { compareCheckpoints, type Checkpoint } from '../runtime/projections/checkpoint.js';
import { BankAccount, bankAccountDefinition } from '../test/runtime/fixtures/bank-account.js';
import type { BenchOptions } from './run.js';
import { createBenchDatabase } from './support/bench-database.js';
import { benchRegistry } from './support/bench-registry.js';
import { compare, median, time } from './support/measure.js';
import { cpuPerOperation, type CpuCost } from './support/cpu-accounting.js';
import { designReadIndex, designTable, plainStore, type PlainEvent, type PlainStore, type RawQuery } from './support/plain-baseline.js';
import { formatNumber, printTable } from './support/print-table.js';

/** One unit of a workload: see compare() in support/measure.ts. */
type Unit = (repetition: number, unit: number) => Promise<unknown>;

/** esgen, the plain baseline, and where it applies the prepared baseline (server) and esgen's own SQL. */
interface Units {
  esgen: Unit;
  plain: Unit;
  prepared?: Unit;
  ownSql?: Unit;
  [name: string]: Unit | undefined;
}

const registry = benchRegistry;

const OPENED = { owner: 'Ada Lovelace', currency: 'EUR' };
const deposit = (i: number) => ({ amount: 1 + (i % 97) });
const eventOf = (round: number, i: number): PlainEvent =>
  round === 0 ? { type: 'AccountOpened', data: OPENED } : { type: 'MoneyDeposited', data: deposit(i) };

interface Row {
  readonly workload: string;
  readonly unit: string;
  readonly baseline?: number;
  readonly prepared?: number;
  readonly esgen: number;
  readonly ratio?: number;
  readonly ratioPrepared?: number;
  readonly target: string;
}

interface Sizes {
  readonly singleAggregates: number;
  readonly batchCalls: number;
  readonly writerAppends: number;
  readonly repetitions: number;
  readonly readAllPages: number;
  readonly bulkEvents: number;
}

const SERVER_SIZES: Sizes = { singleAggregates: 300, batchCalls: 60, writerAppends: 150, repetitions: 5, readAllPages: 40, bulkEvents: 200_000 };
const PGLITE_SIZES: Sizes = { singleAggregates: 300, batchCalls: 60, writerAppends: 150, repetitions: 5, readAllPages: 20, bulkEvents: 50_000 };

type Backend = 'server' | 'pglite';

interface Context {
  readonly backend: Backend;
  readonly client: SqlClient;
  readonly raw: RawQuery;
  readonly sizes: Sizes;
  readonly wanted: (name: string) => boolean;
  readonly rows: Row[];
  /** A fresh schema: migrated for esgen, the design's table for the baseline. */
  esgenSchema(name: string, options?: Partial<EventStoreOptions> | ((schema: string) => Partial<EventStoreOptions>)): Promise<PostgresEventStore>;
  plainSchema(name: string): Promise<PlainStore>;
}

export default async function storeBench(options: BenchOptions): Promise<void> {
  if (!options.only?.startsWith('pglite')) await serverBench(options);
  if (!options.only?.startsWith('server')) await pgliteBench(options);
}

async function serverBench(options: BenchOptions): Promise<void> {
  const database = await createBenchDatabase('store', options.databaseUrl);
  try {
    const client = await createPgClient({ connectionString: database.url, poolConfig: { max: 12 } });
    const pool = new pg.Pool({ connectionString: database.url, max: 12 });
    pool.on('error', () => undefined); // DROP DATABASE … WITH (FORCE) at the end closes what is still open
    try {
      const raw: RawQuery = (sql, params, name) => (name === undefined ? pool.query(sql, params) : pool.query({ name, text: sql, values: params }));
      const ctx = context('server', client, raw, SERVER_SIZES, options.only);
      await runWorkloads(ctx);
      report(`event store on the PostgreSQL server (database ${database.name}, default synchronous_commit); baseline = plain pg on the design's table`, ctx.rows);
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
    const ctx = context('pglite', client, (sql, params) => lite.query(sql, params), PGLITE_SIZES, options.only);
    await runWorkloads(ctx);
    report('event store on embedded PGlite (in memory); baseline = raw PGlite queries on the design\'s table', ctx.rows);
  } finally {
    await lite.close();
  }
}

function context(backend: Backend, client: SqlClient, raw: RawQuery, sizes: Sizes, only: string | undefined): Context {
  let counter = 0;
  return {
    backend,
    client,
    raw,
    sizes,
    rows: [],
    wanted: (name) => (only === undefined ? name !== 'wakeup' : `${backend}.${name}`.includes(only)),
    async esgenSchema(name, options = {}) {
      const schema = `bench_${name}_${++counter}`;
      await migrate(client, { schema });
      return createEventStore({ client, registry, schema, ...(typeof options === 'function' ? options(schema) : options) });
    },
    async plainSchema(name) {
      const quoted = `"bench_plain_${name}_${++counter}"`;
      for (const statement of designTable(quoted)) await client.query(statement);
      return plainStore(raw, quoted, 'BankAccount');
    },
  };
}

function report(title: string, rows: readonly Row[]): void {
  const number = (row: Row, value: number | undefined) => (value === undefined ? '–' : formatNumber(value, row.unit === 'ms' ? 2 : 0));
  printTable(
    title,
    ['workload', 'unit', 'plain', 'plain prepared', 'esgen', 'esgen/plain', 'esgen/prepared', 'target'],
    rows.map((row) => [
      row.workload,
      row.unit,
      number(row, row.baseline),
      number(row, row.prepared),
      number(row, row.esgen),
      row.ratio === undefined ? '–' : formatNumber(row.ratio, 2),
      row.ratioPrepared === undefined ? '–' : formatNumber(row.ratioPrepared, 2),
      row.target,
    ]),
  );
}

async function runWorkloads(ctx: Context): Promise<void> {
  const workloads: Array<[string, (ctx: Context) => Promise<void>, Backend[]]> = [
    ['single', singleAppends, ['server', 'pglite']],
    ['batch', batchAppends, ['server', 'pglite']],
    ['concurrent', concurrentWriters, ['server', 'pglite']],
    ['load', loadAggregate, ['server', 'pglite']],
    ['readall', readAll, ['server', 'pglite']],
    ['bulk', bulkImport, ['server', 'pglite']],
    ['pii', personalData, ['server', 'pglite']],
    ['rebuild', rebuildAfterFill, ['server']],
    ['wakeup', wakeUpAlternatives, ['server']],
  ];
  for (const [name, workload, backends] of workloads) {
    if (!ctx.wanted(name) || !backends.includes(ctx.backend)) continue;
    const before = ctx.rows.length;
    await workload(ctx);
    // Progress as it comes (a long run interrupted still leaves its figures).
    for (const row of ctx.rows.slice(before)) console.log(`  [${ctx.backend}] ${row.workload}: ${formatNumber(row.esgen, row.unit === 'ms' ? 2 : 0)} ${row.unit}${row.ratioPrepared === undefined ? (row.ratio === undefined ? '' : ` (×${formatNumber(row.ratio, 2)} plain)`) : ` (×${formatNumber(row.ratioPrepared, 2)} prepared)`}`);
  }
}

/** Single appends, one aggregate after another; esgen's own SQL through the raw driver is the JS-overhead line. */
async function singleAppends(ctx: Context): Promise<void> {
  const { singleAggregates: aggregates, repetitions } = ctx.sizes;
  const block = 10;
  const blocks = aggregates / block;
  const events = aggregates * 5;
  const store = await ctx.esgenSchema('single');
  const sqlStore = await ctx.esgenSchema('single_sql');
  const plain = await ctx.plainSchema('single');
  const plainPrepared = await ctx.plainSchema('single_prepared');
  const ownSql = appendStatements(`"${sqlStore.schema}"`, undefined).single;
  // Unit u: round u / blocks (0 opens the accounts, 1..4 deposit), aggregates of block u % blocks.
  const each = (append: (id: string, round: number, a: number) => Promise<unknown>) => async (rep: number, unit: number) => {
    const round = Math.floor(unit / blocks);
    const first = (unit % blocks) * block;
    for (let a = first; a < first + block; a++) await append(`single-${rep}-${a}`, round, a);
  };
  const units: Units = {
    esgen: each((id, round, a) => store.appendToStream('BankAccount', id, [eventOf(round, a)], { expectedVersion: round })),
    plain: each((id, round, a) => plain.append(id, round + 1, eventOf(round, a), false)),
    ownSql: each(async (id, round, a) => {
      const event = eventOf(round, a);
      const params = ['BankAccount', id, round, round, randomUUID(), event.type, round === 0 ? 2 : 1, JSON.stringify(event.data), new Date().toISOString(), null, null, null, null];
      if ((await ctx.raw(ownSql, params, 'bench_own_single')).rows.length !== 1) throw new Error('conflict');
    }),
  };
  if (ctx.backend === 'server') units.prepared = each((id, round, a) => plainPrepared.append(id, round + 1, eventOf(round, a), true));
  const medians = await compare(repetitions, blocks * 5, units);
  ctx.rows.push(throughput('single appends', events, medians, '≥ 0.85'));
  ctx.rows.push({
    // PGlite's driver ignores statement names: there the raw line parses and plans every append,
    // which esgen's client does not (pglite-prepared.ts), so esgen comes out ahead of its own SQL.
    workload: `  JS overhead: esgen's own SQL through the raw driver (${ctx.backend === 'server' ? 'prepared' : 'unprepared: PGlite ignores names'}) → esgen`,
    unit: 'events/s',
    baseline: perSecond(events, medians.ownSql!),
    esgen: perSecond(events, medians.esgen),
    ratio: medians.ownSql! / medians.esgen,
    target: '',
  });
}

async function batchAppends(ctx: Context): Promise<void> {
  const { batchCalls: calls, repetitions } = ctx.sizes;
  const batch = [eventOf(0, 0), ...Array.from({ length: 49 }, (_, i) => eventOf(1, i))];
  const store = await ctx.esgenSchema('batch');
  const plain = await ctx.plainSchema('batch');
  const plainPrepared = await ctx.plainSchema('batch_prepared');
  const units: Units = {
    esgen: (rep, call) => store.appendToStream('BankAccount', `batch-${rep}-${call}`, batch, { expectedVersion: 0 }),
    plain: (rep, call) => plain.appendBatch(`batch-${rep}-${call}`, 1, batch, false),
  };
  if (ctx.backend === 'server') units.prepared = (rep, call) => plainPrepared.appendBatch(`batch-${rep}-${call}`, 1, batch, true);
  const medians = await compare(repetitions, calls, units);
  ctx.rows.push(throughput('batch appends (50 events per call)', calls * 50, medians, '≥ 0.9 prepared'));
}

/**
 * 8 writers at once, each appending single events to its own aggregates. On the server an async
 * read model (per-aggregate balances) runs during esgen's units, and a probe measures how long an
 * event takes from its append's return to being committed in the read model.
 */
async function concurrentWriters(ctx: Context): Promise<void> {
  const { writerAppends, repetitions } = ctx.sizes;
  const writers = 8;
  const store = await ctx.esgenSchema('concurrent');
  const plain = await ctx.plainSchema('concurrent');
  const plainPrepared = await ctx.plainSchema('concurrent_prepared');
  const probe = ctx.backend === 'server' ? await startProbe(ctx.client, store) : undefined;
  const block = 5;
  const blocks = writerAppends / 5 / block;
  const concurrently = (append: (id: string, round: number, a: number) => Promise<unknown>, latency?: Probe) => async (rep: number, unit: number) => {
    const round = Math.floor(unit / blocks);
    const first = (unit % blocks) * block;
    const measuring = latency?.measure();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let a = first; a < first + block; a++) await append(`writer-${rep}-${w}-${a}`, round, a);
      }),
    );
    await measuring?.stop();
  };
  const units: Units = {
    esgen: concurrently((id, round, a) => store.appendToStream('BankAccount', id, [eventOf(round, a)], { expectedVersion: round }), probe),
    plain: concurrently((id, round, a) => plain.append(id, round + 1, eventOf(round, a), false)),
  };
  if (ctx.backend === 'server') units.prepared = concurrently((id, round, a) => plainPrepared.append(id, round + 1, eventOf(round, a), true));
  try {
    const medians = await compare(repetitions, blocks * 5, units);
    const label = ctx.backend === 'server' ? '8 concurrent writers, async read model running' : '8 concurrent writers';
    ctx.rows.push(throughput(label, writers * writerAppends, medians, ctx.backend === 'server' ? '≥ 0.85 prepared' : '≥ 0.8'));
    if (ctx.backend === 'server') ctx.rows.push(...(await cpuRows(ctx, units, blocks * 5, writers * writerAppends)));
  } finally {
    await probe?.close();
  }
  if (probe !== undefined) ctx.rows.push(...probe.rows('append → visible in the async read model, 8 writers'));
}

/**
 * CPU per append of one more repetition of each contender, run alone (support/cpu-accounting.ts):
 * this process (esgen's includes its read model's worker) plus the bench database's backends.
 * On a machine whose cores are busy, throughput is CPU per append; these rows say where it goes.
 */
async function cpuRows(ctx: Context, units: Units, unitCount: number, appends: number): Promise<Row[]> {
  const costs: Partial<Record<'esgen' | 'prepared', CpuCost>> = {};
  for (const name of ['prepared', 'esgen'] as const) {
    const unit = units[name];
    if (unit === undefined) continue;
    const cost = await cpuPerOperation(ctx.client, appends, async () => {
      // A repetition number compare() never used: fresh streams.
      for (let u = 0; u < unitCount; u++) await unit(1_000, u);
      // The read model's worker finishes the last batches.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    if (cost === undefined) return [];
    costs[name] = cost;
  }
  const { esgen, prepared } = costs;
  if (esgen === undefined || prepared === undefined) return [];
  const row = (part: string, value: (cost: CpuCost) => number): Row => ({
    workload: `  CPU per append, 8 writers: ${part}`,
    unit: 'µs',
    prepared: value(prepared),
    esgen: value(esgen),
    ratioPrepared: value(prepared) / value(esgen),
    target: '',
  });
  return [row('Node process', (cost) => cost.node), row('server backends', (cost) => cost.server), row('total', (cost) => cost.node + cost.server)];
}

interface Probe {
  /** Appends a probe event every few milliseconds until stopped. */
  measure(): { stop(): Promise<void> };
  rows(label: string): Row[];
  close(): Promise<void>;
}

/**
 * Probe events on their own aggregate; latency = from the append's return to the read model's
 * batch that includes it having committed (the manager reports each batch after COMMIT).
 */
async function startProbe(client: SqlClient, store: PostgresEventStore, managerOptions: { pollIntervalMs?: number } = {}): Promise<Probe> {
  const pending: { checkpoint: Checkpoint; at: number }[] = [];
  const samples: number[] = [];
  const manager: ReadModelManager = createReadModelManager({
    client,
    registry,
    schema: store.schema,
    pollIntervalMs: managerOptions.pollIntervalMs ?? 1000,
    onBatch({ outcome }) {
      if (outcome.kind !== 'processed') return;
      const now = performance.now();
      for (let i = pending.length - 1; i >= 0; i--) {
        if (compareCheckpoints(pending[i]!.checkpoint, outcome.checkpoint) <= 0) {
          samples.push(now - pending[i]!.at);
          pending.splice(i, 1);
        }
      }
    },
  });
  await manager.start();
  let probes = 0;
  return {
    measure() {
      let running = true;
      const loop = (async () => {
        while (running) {
          const id = `probe-${++probes}`;
          const { envelopes } = await store.appendToStream('BankAccount', id, [{ type: 'AccountOpened', data: OPENED }], { expectedVersion: 'no_stream' });
          const last = envelopes[envelopes.length - 1] as EventEnvelope;
          pending.push({ checkpoint: { transactionId: last.transactionId, position: last.position }, at: performance.now() });
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      return {
        async stop() {
          running = false;
          await loop;
        },
      };
    },
    rows(label) {
      const sorted = [...samples].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
      return [
        { workload: `${label}, median (${sorted.length} probes)`, unit: 'ms', esgen: median(sorted), target: '' },
        { workload: `${label}, p99`, unit: 'ms', esgen: p99, target: '< 50' },
      ];
    },
    async close() {
      await manager.waitForCatchUp({ timeoutMs: 120_000 }).catch(() => undefined);
      await manager.stop();
    },
  };
}

async function loadAggregate(ctx: Context): Promise<void> {
  const store = await ctx.esgenSchema('load');
  const plain = await ctx.plainSchema('load');
  const length = 1000;
  const events = Array.from({ length }, (_, i) => (i === 0 ? eventOf(0, 0) : i % 5 === 0 ? { type: 'MoneyWithdrawn', data: { amount: 3, reason: `r${i}` } } : eventOf(1, i)));
  for (let from = 0; from < length; from += 100) {
    const slice = events.slice(from, from + 100);
    await store.appendToStream('BankAccount', 'load-1000', slice, { expectedVersion: from });
    await plain.appendBatch('load-1000', from + 1, slice, false);
  }
  const repository = createRepository(store, bankAccountDefinition());
  const seen = new Set<number>();
  const plainLoad = (prepared: boolean) => async () => {
    seen.add(replayPlain(await plain.readStream('load-1000', prepared)).state.balance);
  };
  const loads = 20;
  const units: Units = {
    esgen: async () => {
      seen.add((await repository.load('load-1000')).state.balance);
    },
    plain: plainLoad(false),
  };
  if (ctx.backend === 'server') units.prepared = plainLoad(true);
  const medians = await compare(ctx.sizes.repetitions + 2, loads, units);
  if (seen.size !== 1) throw new Error('esgen and the baseline loaded different states');
  ctx.rows.push(latency('load a 1,000-event aggregate (read + apply)', loads, medians, '≥ 1.0'));
}

/**
 * Personal data (docs/personal-data.md): the same events with 2 `pii` fields sealed per subject
 * ("esgen") against a registry that declares none ("plain" = esgen without personal data), key
 * cache warm; then forgetting a subject of 10,000 events (one statement).
 */
async function personalData(ctx: Context): Promise<void> {
  const { repetitions } = ctx.sizes;
  const master = localMasterKey(randomBytes(32));
  let sealedSchema = '';
  const sealed = await ctx.esgenSchema('pii', (schema) => ((sealedSchema = schema), { registry: profileRegistry(true), personalData: new PersonalDataVault(ctx.client, `"${schema}"`, master) }));
  const plain = await ctx.esgenSchema('pii_plain', { registry: profileRegistry(false) });
  const aggregates = 50;
  const profile = (a: number, i: number) => ({ type: 'ProfileUpdated', data: { name: `Person ${a} ${i}`, email: `person-${a}-${i}@example.org`, tier: 'gold', visits: i } });
  // Warm: every subject has its key, and the cache holds it.
  for (let a = 0; a < aggregates; a++) {
    await sealed.appendToStream('Profile', `p-${a}`, [profile(a, 0)], { expectedVersion: 'any' });
    await plain.appendToStream('Profile', `p-${a}`, [profile(a, 0)], { expectedVersion: 'any' });
  }
  const appendUnit = (store: PostgresEventStore) => async (_rep: number, unit: number) => {
    for (let a = 0; a < aggregates; a++) await store.appendToStream('Profile', `p-${a}`, [profile(a, unit)], { expectedVersion: 'any' });
  };
  const appends = await compare(repetitions, 4, { esgen: appendUnit(sealed), plain: appendUnit(plain) });
  ctx.rows.push(throughput('appends, 2 pii fields vs none (esgen without pii = "plain")', aggregates * 4, appends, '≥ 0.85'));

  const length = 1000;
  for (const store of [sealed, plain]) {
    for (let from = 0; from < length; from += 100) await store.appendToStream('Profile', 'load-1000', Array.from({ length: 100 }, (_, i) => profile(0, from + i)), { expectedVersion: from });
  }
  const loads = 20;
  const loadUnit = (store: PostgresEventStore) => async () => {
    if ((await store.readStreamForReplay('Profile', 'load-1000')).length !== length) throw new Error('short stream');
  };
  const loaded = await compare(repetitions + 2, loads, { esgen: loadUnit(sealed), plain: loadUnit(plain) });
  ctx.rows.push(latency('load a 1,000-event stream, 2 pii fields vs none', loads, loaded, '≥ 0.85'));
  // What a process that never read the stream pays: the key's fetch and unwrap, AES-GCM per value.
  const coldStore = () => createEventStore({ client: ctx.client, registry: profileRegistry(true), schema: sealedSchema, personalData: new PersonalDataVault(ctx.client, `"${sealedSchema}"`, master) });
  const cold = await compare(repetitions, 5, { esgen: async () => loadUnit(coldStore())(), plain: loadUnit(plain) });
  ctx.rows.push(latency('  the same load in a fresh process (key fetched, every value decrypted)', 5, cold, ''));

  for (let from = 0; from < 10_000; from += 500) {
    await sealed.appendToStream('Profile', 'forget-me', Array.from({ length: 500 }, (_, i) => profile(1, from + i)), { expectedVersion: from });
  }
  const forgetMs = await time(() => sealed.personalData!.forget('forget-me'));
  ctx.rows.push({ workload: 'forget a subject with 10,000 events (one statement)', unit: 'ms', esgen: forgetMs, target: '< 50' });
}

/** A one-event aggregate with two personal fields; `pii: false` is the same domain without personal data. */
function profileRegistry(pii: boolean): Registry {
  return defineRegistry([
    defineAggregate({
      type: 'Profile',
      idType: 'string',
      stateFingerprint: 'profile-v1',
      events: {
        ProfileUpdated: {
          versions: [{ name: check.string, email: check.string, tier: check.string, visits: check.integer }],
          ...(pii
            ? {
                personalData: {
                  subject: '$aggregateId' as const,
                  versions: [
                    [
                      { path: ['name'], redacted: '' },
                      { path: ['email'], redacted: '' },
                    ],
                  ],
                },
              }
            : {}),
        },
      },
    }),
  ]);
}


/** What a careful hand-written loader does with the design's rows: read and apply. */
function replayPlain(rows: readonly any[]): BankAccount {
  const account = new BankAccount('load-1000');
  for (const row of rows) {
    const context: EventContext = {
      eventId: row.event_id,
      aggregateType: 'BankAccount',
      aggregateId: row.aggregate_id,
      version: row.version,
      occurredAt: row.occurred_at,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      metadata: row.metadata ?? {},
    };
    account.replay({ type: row.event_type, data: row.event_data }, context);
  }
  return account;
}

/** Pages of 1,000 over every event, from the start, on analyzed tables filled alike. */
async function readAll(ctx: Context): Promise<void> {
  const pages = ctx.sizes.readAllPages;
  const store = await ctx.esgenSchema('readall');
  const plain = await ctx.plainSchema('readall');
  const quoted = `"${store.schema}"`;
  const batch = [eventOf(0, 0), ...Array.from({ length: 999 }, (_, i) => eventOf(1, i))];
  for (let i = 0; i < pages; i++) {
    await store.appendToStream('BankAccount', `fill-${i}`, batch, { expectedVersion: 0 });
    await plain.appendBatch(`fill-${i}`, 1, batch, false);
  }
  await ctx.client.query(designReadIndex(plain.table.replace(/\.events$/, '')));
  await ctx.client.query(`ANALYZE ${quoted}.events`);
  await ctx.client.query(`ANALYZE ${plain.table}`);
  let esgenAfter: GlobalPosition | null = null;
  const plainPages = (prepared: boolean) => {
    let after: [string, string] | null = null;
    return async (_rep: number, page: number) => {
      if (page === 0) after = null;
      const rows = await plain.readPage(after, 1000, prepared);
      if (rows.length !== 1000) throw new Error('short page');
      const last = rows[rows.length - 1];
      after = [last.occurred_at.toISOString(), last.event_id];
    };
  };
  const units: Units = {
    esgen: async (_rep, page) => {
      if (page === 0) esgenAfter = null;
      const result = await store.readAllAfter(esgenAfter, { limit: 1000 });
      if (result.events.length !== 1000) throw new Error('short page');
      esgenAfter = result.last;
    },
    plain: plainPages(false),
  };
  if (ctx.backend === 'server') units.prepared = plainPages(true);
  const medians = await compare(ctx.sizes.repetitions + 2, pages, units);
  ctx.rows.push(throughput(`read all, pages of 1,000 (${pages} pages, analyzed)`, pages * 1000, medians, '≥ 1.0'));
}

/** Legacy import: esgen's appendBulk against plain multi-row inserts of 5,000 rows per statement. */
async function bulkImport(ctx: Context): Promise<void> {
  const total = ctx.sizes.bulkEvents;
  const perStream = 50;
  const store = await ctx.esgenSchema('bulk');
  const plain = await ctx.plainSchema('bulk');
  const legacy = (i: number) => {
    const stream = Math.floor(i / perStream);
    const v = i % perStream;
    return { aggregateId: `legacy-${stream}`, version: v + 1, event: eventOf(v === 0 ? 0 : 1, i), occurredAt: new Date(Date.UTC(2019, 0, 1) + i * 1000) };
  };
  const bulk = (store as unknown as { appendBulk?: (events: readonly unknown[]) => Promise<unknown> }).appendBulk?.bind(store);
  let esgenMs: number | undefined;
  if (bulk !== undefined) {
    const events = Array.from({ length: total }, (_, i) => {
      const { aggregateId, event, occurredAt } = legacy(i);
      return { aggregateType: 'BankAccount', aggregateId, type: event.type, data: event.data, occurredAt, eventId: randomUUID(), metadata: { source: 'legacy' } };
    });
    const start = performance.now();
    await bulk(events);
    esgenMs = performance.now() - start;
  }
  const start = performance.now();
  for (let from = 0; from < total; from += 5000) {
    const streams = new Map<string, { first: number; events: PlainEvent[] }>();
    for (let i = from; i < Math.min(total, from + 5000); i++) {
      const { aggregateId, version, event } = legacy(i);
      const entry = streams.get(aggregateId) ?? { first: version, events: [] };
      entry.events.push(event);
      streams.set(aggregateId, entry);
    }
    // One statement per 5,000 rows: the stream columns as arrays too.
    const ids: string[] = [];
    const versions: number[] = [];
    const types: string[] = [];
    const data: string[] = [];
    for (const [id, entry] of streams) {
      entry.events.forEach((event, k) => {
        ids.push(id);
        versions.push(entry.first + k);
        types.push(event.type);
        data.push(JSON.stringify(event.data));
      });
    }
    await ctx.raw(
      `INSERT INTO ${plain.table} (event_id, aggregate_type, aggregate_id, version, event_type, event_data, metadata, occurred_at)
       SELECT gen_random_uuid(), 'BankAccount', e.id, e.v, e.t, e.d::jsonb, '{"source":"legacy"}', now() FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) AS e(id, v, t, d)`,
      [ids, versions, types, data],
    );
  }
  const plainMs = performance.now() - start;
  ctx.rows.push({
    workload: `bulk import of ${formatNumber(total)} events (esgen: appendBulk; plain: INSERT … unnest, 5,000 rows a statement)`,
    unit: 'events/s',
    baseline: perSecond(total, plainMs),
    esgen: esgenMs === undefined ? NaN : perSecond(total, esgenMs),
    ratio: esgenMs === undefined ? undefined : plainMs / esgenMs,
    target: ctx.backend === 'server' ? '≥ 100,000/s' : '',
  });
}

/**
 * A per-aggregate read model rebuilt right after its events were written, before any statistics
 * exist (the server here runs no autovacuum, and nothing analyzed the table): the plan of the
 * typed feed must not depend on them.
 */
async function rebuildAfterFill(ctx: Context): Promise<void> {
  const total = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);
  const store = await ctx.esgenSchema('rebuild');
  const quoted = `"${store.schema}"`;
  // As an import leaves history: stream after stream (50 events each), in transactions of 20,000.
  const perStream = 50;
  const fillStart = performance.now();
  for (let from = 0; from < total; from += 20_000) {
    await ctx.client.query(
      `INSERT INTO ${quoted}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       SELECT gen_random_uuid(), 'BankAccount', 'acc-' || (i / ${perStream}), i % ${perStream} + 1,
              CASE WHEN i % ${perStream} = 0 THEN 'AccountOpened' WHEN i % 7 = 0 THEN 'MoneyWithdrawn' ELSE 'MoneyDeposited' END,
              CASE WHEN i % ${perStream} = 0 THEN 2 ELSE 1 END,
              CASE WHEN i % ${perStream} = 0 THEN '{"owner":"Ada","currency":"EUR"}'::jsonb ELSE jsonb_build_object('amount', 1 + i % 89) END,
              timestamptz '2016-01-01' + make_interval(secs => i)
       FROM generate_series($1::int, $2::int) AS i`,
      [from, Math.min(total, from + 20_000) - 1],
    );
  }
  const fillMs = performance.now() - fillStart;
  const replayer = createEventReplayer({ client: ctx.client, registry, schema: store.schema });
  const start = performance.now();
  // The gap-safety horizon is cluster-wide: another database's long transaction holds it back.
  const result = await replayer.rebuild('bench_balances', { catchUpTimeoutMs: 600_000 });
  const ms = performance.now() - start;
  if (result.processed !== total) throw new Error(`rebuild processed ${result.processed} of ${total} events`);
  ctx.rows.push({
    workload: `rebuild a per-aggregate read model right after a fill of ${formatNumber(total)} events, streams of ${perStream} (no statistics; fill took ${formatNumber(fillMs / 1000, 1)} s)`,
    unit: 'events/s',
    esgen: perSecond(total, ms),
    target: '≥ 100,000/s',
  });
}

/**
 * The wake-up alternatives at 8 writers with the read model running: throughput and append →
 * visible latency. Each variant has a schema and a worker of its own; repetitions take turns
 * (rotating who goes first) so load from elsewhere lands on all of them alike.
 */
async function wakeUpAlternatives(ctx: Context): Promise<void> {
  const variants = await wakeUpVariants(ctx);
  const contenders = [];
  for (const variant of variants) {
    const store = await ctx.esgenSchema(`wakeup_${variant.name}`, variant.options);
    contenders.push({ variant, store, probe: await startProbe(ctx.client, store, { pollIntervalMs: variant.pollIntervalMs }), samples: [] as number[] });
  }
  try {
    for (let rep = 0; rep < ctx.sizes.repetitions + 2; rep++) {
      for (let k = 0; k < contenders.length; k++) {
        const { store, probe, samples } = contenders[(k + rep) % contenders.length]!;
        const measuring = probe.measure();
        const start = performance.now();
        await Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            for (let i = 0; i < ctx.sizes.writerAppends; i++) {
              await store.appendToStream('BankAccount', `w-${rep}-${w}-${i % 30}`, [eventOf(Math.floor(i / 30), i)], { expectedVersion: Math.floor(i / 30) });
            }
          }),
        );
        samples.push(performance.now() - start);
        await measuring.stop();
      }
    }
  } finally {
    for (const { probe } of contenders) await probe.close();
  }
  for (const { variant, probe, samples } of contenders) {
    const [medianRow, p99Row] = probe.rows(variant.label);
    ctx.rows.push({ workload: `wake-up: ${variant.label}, 8 writers`, unit: 'events/s', esgen: perSecond(8 * ctx.sizes.writerAppends, median(samples)), target: '' });
    ctx.rows.push({ ...medianRow!, workload: `  append → visible, median` }, { ...p99Row!, workload: `  append → visible, p99` });
  }
}

interface WakeUpVariant {
  readonly name: string;
  readonly label: string;
  readonly options: (schema: string) => Partial<EventStoreOptions>;
  readonly pollIntervalMs?: number;
}

async function wakeUpVariants(ctx: Context): Promise<WakeUpVariant[]> {
  // Only where the store has the alternatives (runtime/store/wake-up.ts); the code before them
  // had one way: NOTIFY inside the appending statement.
  const wakeUp = await import('../runtime/store/wake-up.js').catch(() => undefined);
  if (wakeUp === undefined) return [{ name: 'notify', label: 'NOTIFY in the appending statement', options: () => ({}) }];
  const { eventsChannel } = await import('../runtime/store/notify-channel.js');
  const after = (options: Parameters<typeof wakeUp.notifyAfterCommit>[2]) => (schema: string) => ({
    wakeUp: wakeUp.notifyAfterCommit(ctx.client, eventsChannel(schema), options),
  });
  return [
    { name: 'default', label: 'NOTIFY after commit, coalesced, synchronous_commit off (default)', options: () => ({}) },
    { name: 'sync', label: 'NOTIFY after commit, coalesced, synchronous commit', options: after({ synchronousCommit: true }) },
    { name: 'spaced', label: 'NOTIFY after commit, at most one per 5 ms', options: after({ minIntervalMs: 5 }) },
    { name: 'spaced20', label: 'NOTIFY after commit, at most one per 20 ms', options: after({ minIntervalMs: 20 }) },
    { name: 'intx', label: 'NOTIFY inside the appending statement (before)', options: () => ({ wakeUp: 'in-transaction' as const }) },
    { name: 'poll50', label: 'no NOTIFY, workers poll every 50 ms', options: () => ({ notify: false }), pollIntervalMs: 50 },
  ];
}

interface Medians {
  readonly esgen: number;
  readonly plain?: number;
  readonly prepared?: number;
}

const perSecond = (events: number, ms: number) => (events / ms) * 1000;

function throughput(workload: string, events: number, medians: Medians, target: string): Row {
  return {
    workload,
    unit: 'events/s',
    baseline: medians.plain === undefined ? undefined : perSecond(events, medians.plain),
    prepared: medians.prepared === undefined ? undefined : perSecond(events, medians.prepared),
    esgen: perSecond(events, medians.esgen),
    ratio: medians.plain === undefined ? undefined : medians.plain / medians.esgen,
    ratioPrepared: medians.prepared === undefined ? undefined : medians.prepared / medians.esgen,
    target,
  };
}

function latency(workload: string, calls: number, medians: Medians, target: string): Row {
  return {
    workload,
    unit: 'ms',
    baseline: medians.plain === undefined ? undefined : medians.plain / calls,
    prepared: medians.prepared === undefined ? undefined : medians.prepared / calls,
    esgen: medians.esgen / calls,
    ratio: medians.plain === undefined ? undefined : medians.plain / medians.esgen,
    ratioPrepared: medians.prepared === undefined ? undefined : medians.prepared / medians.esgen,
    target,
  };
}
