/**
 * Where the write path's remaining gaps come from (docs/performance.md, "Where the remaining gaps
 * come from"): the store bench says how far esgen is from plain `pg`; these workloads take the
 * distance apart. Variants run interleaved within one process; figures are medians.
 *
 *   npm run bench -- --only gaps                 every workload
 *   npm run bench -- --only gaps:pgread          node-postgres's ways of sending a query, reading 1,000 rows
 *   npm run bench -- --only gaps:writers         8 writers: plain, esgen without and with an async read model (CPU per append)
 *   npm run bench -- --only gaps:batch           batches of 50: what each index and esgen's JavaScript cost
 *   npm run bench -- --only gaps:catchup         a read model catching up, by batch size (server and PGlite)
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrate } from '../runtime/migrations/migrate.js';
import { createPgClient } from '../runtime/pg-client.js';
import { createPgliteClient } from '../runtime/pglite-client.js';
import { createReadModelManager } from '../runtime/projections/read-model-manager.js';
import type { SqlClient } from '../runtime/sql-client.js';
import { appendStatements } from '../runtime/store/append-statement.js';
import { createEventStore } from '../runtime/store/event-store.js';
import type { BenchOptions } from './run.js';
import { createBenchDatabase } from './support/bench-database.js';
import { cpuPerOperation } from './support/cpu-accounting.js';
import { benchRegistry } from './support/bench-registry.js';
import { median } from './support/measure.js';
import { designTable, plainStore } from './support/plain-baseline.js';
import { formatNumber, printTable } from './support/print-table.js';

const registry = benchRegistry;
const OPENED = { owner: 'Ada Lovelace', currency: 'EUR' };
const opened = { type: 'AccountOpened', data: OPENED };

export default async function gapsBench(options: BenchOptions): Promise<void> {
  const wanted = (name: string) => options.only === undefined || name.includes(options.only);
  const database = await createBenchDatabase('gaps', options.databaseUrl);
  try {
    if (wanted('pgread')) await nodePostgresReads(database.url);
    if (wanted('writers')) await eightWriters(database.url);
    if (wanted('batch')) await batchesOf50(database.url);
    if (wanted('catchup')) await readModelCatchUp(database.url);
  } finally {
    await database.drop();
  }
}

const execFileAsync = promisify(execFile);

/**
 * The same 1,000-row read sent four ways through a pg.Client: node-postgres's promise form, and a
 * callback given with the query, each with and without its query_timeout (esgen's client uses the
 * callback and times statements itself: runtime/pg-client.ts). Each variant runs in processes of
 * its own (support/pg-read-variant.ts), taking turns.
 */
async function nodePostgresReads(url: string): Promise<void> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`CREATE TABLE gaps_rows AS SELECT g AS id, repeat('x', 200) AS pad, jsonb_build_object('a', g) AS doc, now() AS at FROM generate_series(1, 1000) g`);
  await setup.end();
  const variants: Array<[string, 'promise' | 'callback', 'timeout' | 'none']> = [
    ['await client.query(config)', 'promise', 'none'],
    ['await client.query(config), query_timeout', 'promise', 'timeout'],
    ['client.query(config, callback)', 'callback', 'none'],
    ['client.query(config, callback), query_timeout', 'callback', 'timeout'],
  ];
  const script = fileURLToPath(new URL('./support/pg-read-variant.ts', import.meta.url));
  const samples = new Map<string, { cpu: number[]; gc: number[] }>();
  for (let repetition = 0; repetition < 3; repetition++) {
    for (const [label, form, timeout] of variants) {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', script, url, form, timeout, '300']);
      const { cpuMs, gcMs: gc } = JSON.parse(stdout) as { cpuMs: number; gcMs: number };
      const entry = samples.get(label) ?? { cpu: [], gc: [] };
      entry.cpu.push(cpuMs);
      entry.gc.push(gc);
      samples.set(label, entry);
    }
  }
  printTable(
    'node-postgres: 300 reads of a 1,000-row table per process, each variant in 3 processes of its own, medians',
    ['how the query is sent', 'Node CPU ms per read', 'GC ms per read'],
    [...samples].map(([label, { cpu, gc }]) => [label, formatNumber(median(cpu), 2), formatNumber(median(gc), 2)]),
  );
}

interface WriterSample {
  readonly serverUs: number;
  readonly nodeUs: number;
  readonly perSecond: number;
}

/** 8 writers × 300 single appends: plain prepared, esgen's store, and the store with an async read model on its schema. */
async function eightWriters(url: string): Promise<void> {
  const client = await createPgClient({ connectionString: url, poolConfig: { max: 12 } });
  const pool = new pg.Pool({ connectionString: url, max: 12 });
  // Lists the backends whose CPU counts; its own connection is the one left out.
  const accounting = await createPgClient({ connectionString: url, poolConfig: { max: 1 } });
  try {
    await migrate(client, { schema: 'gaps_writers' });
    await migrate(client, { schema: 'gaps_writers_rm' });
    for (const statement of designTable('"gaps_plain_writers"')) await client.query(statement);
    const store = createEventStore({ client, registry, schema: 'gaps_writers' });
    const storeWithReadModel = createEventStore({ client, registry, schema: 'gaps_writers_rm' });
    const plain = plainStore((sql, params, name) => (name === undefined ? pool.query(sql, params) : pool.query({ name, text: sql, values: params })), '"gaps_plain_writers"', 'BankAccount');
    const manager = createReadModelManager({ client, registry, schema: 'gaps_writers_rm', pollIntervalMs: 1000 });
    await manager.start();
    const writers = 8;
    const appends = 300;
    let round = 0;
    const samples = new Map<string, WriterSample[]>();
    const run = async (label: string, append: (id: string) => Promise<unknown>) => {
      round++;
      const total = writers * appends;
      let elapsed = 0;
      const cost = await cpuPerOperation(accounting, total, async () => {
        const start = performance.now();
        await Promise.all(Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < appends; i++) await append(`w-${round}-${w}-${i}`);
        }));
        elapsed = performance.now() - start;
        // The read model's worker finishes its last batches inside the measurement.
        await manager.waitForCatchUp({ timeoutMs: 60_000 });
      });
      // No CPU figures for a server on another machine (/proc is this machine's).
      const sample = { serverUs: cost?.server ?? Number.NaN, nodeUs: cost?.node ?? Number.NaN, perSecond: total / (elapsed / 1000) };
      samples.set(label, [...(samples.get(label) ?? []), sample]);
    };
    try {
      for (let repetition = 0; repetition < 5; repetition++) {
        await run('plain pg, prepared, design table', (id) => plain.append(id, 1, opened, true));
        await run('esgen store, no read model', (id) => store.appendToStream('BankAccount', id, [opened], { expectedVersion: 0 }));
        await run('esgen store, async read model running', (id) => storeWithReadModel.appendToStream('BankAccount', id, [opened], { expectedVersion: 0 }));
      }
    } finally {
      await manager.stop();
    }
    const baseline = median(samples.get('plain pg, prepared, design table')!.map((sample) => sample.perSecond));
    printTable(
      '8 writers × 300 single appends, default synchronous_commit, medians of 5 (CPU: this process and the database\'s backends per append)',
      ['contender', 'server CPU µs', 'Node CPU µs', 'appends/s', '× plain'],
      [...samples].map(([label, list]) => {
        const perSecond = median(list.map((sample) => sample.perSecond));
        return [label, formatNumber(median(list.map((sample) => sample.serverUs))), formatNumber(median(list.map((sample) => sample.nodeUs))), formatNumber(perSecond), formatNumber(perSecond / baseline, 2)];
      }),
    );
  } finally {
    await accounting.close();
    await pool.end();
    await client.close();
  }
}

/** Batches of 50: plain prepared, esgen's statement through raw pg with all, fewer and no extra indexes, and the store. */
async function batchesOf50(url: string): Promise<void> {
  const client = await createPgClient({ connectionString: url, poolConfig: { max: 4 } });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const schemas: Array<[string, string[]]> = [
      ['gaps_batch_all', []],
      ['gaps_batch_no_type', ['idx_events_type_order']],
      ['gaps_batch_bare', ['idx_events_type_order', 'idx_events_occurred_brin', 'idx_events_global_order']],
      ['gaps_batch_store', []],
      ['gaps_batch_store_quiet', []],
    ];
    for (const [schema, drops] of schemas) {
      await migrate(client, { schema });
      for (const index of drops) await client.query(`DROP INDEX "${schema}".${index}`);
    }
    for (const statement of designTable('"gaps_plain_batch"')) await client.query(statement);
    const plain = plainStore((sql, params, name) => (name === undefined ? pool.query(sql, params) : pool.query({ name, text: sql, values: params })), '"gaps_plain_batch"', 'BankAccount');
    const store = createEventStore({ client, registry, schema: 'gaps_batch_store' });
    const storeWithoutWakeUp = createEventStore({ client, registry, schema: 'gaps_batch_store_quiet', notify: false });
    const batch = [opened, ...Array.from({ length: 49 }, (_, i) => ({ type: 'MoneyDeposited', data: { amount: 1 + (i % 97) } }))];
    const raw = (schema: string) => {
      const text = appendStatements(`"${schema}"`, undefined).batch;
      return (id: string) => {
        const at = new Date().toISOString();
        return pool.query({
          name: `gaps_${schema}`,
          text,
          values: ['BankAccount', id, 0, 0, batch.map(() => randomUUID()), batch.map((event) => event.type), batch.map((event) => (event.type === 'AccountOpened' ? 2 : 1)), batch.map((event) => JSON.stringify(event.data)), batch.map(() => at), null, null, null, batch.map(() => null)],
        });
      };
    };
    const contenders: Array<[string, (id: string) => Promise<unknown>]> = [
      ['plain pg, prepared, design table', (id) => plain.appendBatch(id, 1, batch, true)],
      ["esgen's statement, raw pg, every index", raw('gaps_batch_all')],
      ['  the same without idx_events_type_order', raw('gaps_batch_no_type')],
      ["  the same without the 3 indexes the design's table lacks", raw('gaps_batch_bare')],
      ['esgen store without wake-ups (notify: false)', (id) => storeWithoutWakeUp.appendToStream('BankAccount', id, batch, { expectedVersion: 0 })],
      ['esgen store', (id) => store.appendToStream('BankAccount', id, batch, { expectedVersion: 0 })],
    ];
    const calls = 60;
    const samples = new Map<string, number[]>();
    let round = 0;
    for (let repetition = 0; repetition < 9; repetition++) {
      for (const [label, append] of contenders) {
        round++;
        const start = performance.now();
        for (let i = 0; i < calls; i++) await append(`b-${round}-${i}`);
        samples.set(label, [...(samples.get(label) ?? []), (calls * 50) / ((performance.now() - start) / 1000)]);
      }
    }
    const baseline = median(samples.get('plain pg, prepared, design table')!);
    printTable(
      'batches of 50 events, 60 calls, default synchronous_commit, medians of 9',
      ['contender', 'events/s', '× plain'],
      [...samples].map(([label, list]) => [label, formatNumber(median(list)), formatNumber(median(list) / baseline, 2)]),
    );
  } finally {
    await pool.end();
    await client.close();
  }
}

/** A read model catching up on 3,000 events in batches of 25 and of 1,000, on the server and on PGlite. */
async function readModelCatchUp(url: string): Promise<void> {
  const rows: string[][] = [];
  for (const backend of ['server', 'pglite'] as const) {
    const client: SqlClient = backend === 'server' ? await createPgClient({ connectionString: url, poolConfig: { max: 4 } }) : await createPgliteClient();
    try {
      let schemas = 0;
      const samples = new Map<number, number[]>();
      for (let repetition = 0; repetition < 3; repetition++) {
        for (const batchSize of [25, 1000]) {
          const schema = `gaps_catchup_${++schemas}`;
          await migrate(client, { schema });
          const store = createEventStore({ client, registry, schema, notify: false });
          const events = 3000;
          for (let i = 0; i < events; i += 100) {
            await store.appendMany(Array.from({ length: 100 }, (_, j) => ({ aggregateType: 'BankAccount', aggregateId: `a-${i + j}`, events: [opened], expectedVersion: 0 })));
          }
          const start = performance.now();
          const manager = createReadModelManager({ client, registry, schema, batchSize, pollIntervalMs: 50 });
          await manager.start();
          await manager.waitForCatchUp({ timeoutMs: 120_000 });
          const elapsed = performance.now() - start;
          await manager.stop();
          samples.set(batchSize, [...(samples.get(batchSize) ?? []), events / (elapsed / 1000)]);
        }
      }
      for (const [batchSize, list] of samples) rows.push([backend, formatNumber(batchSize), formatNumber(median(list))]);
    } finally {
      await client.close();
    }
  }
  printTable('a read model catching up on 3,000 events, medians of 3', ['backend', 'batch size', 'events/s'], rows);
}
