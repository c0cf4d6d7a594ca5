/**
 * Shared pieces of the fault suite: clients with short timeouts (so a fault shows within seconds),
 * in-process projection workers that record what they report, and writers that log every append
 * by its outcome. Workers and writers run in the test process on purpose: an unhandled 'error'
 * event from a dropped connection would crash it, and vitest fails the run on any unhandled error.
 */
import { randomUUID } from 'node:crypto';
import {
  createEventStore,
  createReadModelManager,
  isEsgenError,
  type PostgresEventStore,
  type ReadModelManager,
  type ReadModelManagerOptions,
  type Registry,
  type SqlClient,
  type WorkerConnectionEvent,
} from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import { ensureReadModelIndexes } from '../../runtime/projections/read-model-indexes.js';
import { createPgClient } from '../../runtime/pg-client.js';
import type { PgPoolOptions } from '../../runtime/pg-pool-options.js';
import { serverUrl } from '../support/database.js';
import { asyncLedgerRegistry } from '../projections/fixtures/ledger-registry.js';

/** Why the suite does not run here (PGlite leg): it needs the PostgreSQL server binaries. */
export const faultSuiteSkipped = serverUrl === undefined;
export const faultSuiteTitle = (title: string) =>
  faultSuiteSkipped ? `${title} (skipped: no DATABASE_URL; the fault suite runs in the server leg, on a private cluster it starts itself)` : title;

export const registry: Registry = asyncLedgerRegistry;
export const schema = 'faults';

/** Timeouts short enough that a frozen server shows within seconds. */
export const SHORT_TIMEOUTS: PgPoolOptions = { connectionTimeoutMs: 2_000, statementTimeoutMs: 2_000, queryTimeoutMs: 3_000 };
export const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 500, giveUpAfterMs: 60_000 };

export function faultClient(url: string, applicationName: string, pool: PgPoolOptions = {}): Promise<SqlClient> {
  return createPgClient({ connectionString: url, poolOptions: { max: 4, ...SHORT_TIMEOUTS, applicationName, ...pool }, reconnect: FAST_RECONNECT });
}

export async function prepareSchema(url: string): Promise<void> {
  const client = await faultClient(url, 'esgen-faults-setup');
  try {
    await migrate(client, { schema });
    await ensureReadModelIndexes(client, registry, schema);
  } finally {
    await client.close();
  }
}

export interface RecordedWorker {
  readonly manager: ReadModelManager;
  readonly client: SqlClient;
  readonly events: WorkerConnectionEvent[];
  readonly errors: unknown[];
  readonly logs: string[];
  close(): Promise<void>;
}

export async function recordedWorker(url: string, name: string, options: Partial<ReadModelManagerOptions> = {}): Promise<RecordedWorker> {
  const client = await faultClient(url, name);
  const events: WorkerConnectionEvent[] = [];
  const errors: unknown[] = [];
  const logs: string[] = [];
  const manager = createReadModelManager({
    client,
    registry,
    schema,
    workerId: name,
    batchSize: 50,
    leaseSeconds: 3,
    pollIntervalMs: 200,
    reconnect: FAST_RECONNECT,
    onConnection: (event) => events.push(event),
    onError: (error) => errors.push(error),
    logger: { warn: (line) => logs.push(line), info: (line) => logs.push(line) },
    ...options,
  });
  return {
    manager,
    client,
    events,
    errors,
    logs,
    async close() {
      await manager.stop();
      await client.close();
    },
  };
}

/** Every append a writer attempted, by what it was told. */
export interface WriteLog {
  /** The append resolved: these events must be stored. */
  readonly acknowledged: string[];
  /** Rejected with outcome 'not-committed' (ConnectionLost, most QueryTimedOut): must not be stored. */
  readonly notCommitted: string[][];
  /** Rejected with outcome 'unknown': all or none of each group is stored. */
  readonly unknown: string[][];
  /** Any other rejection (there must be none). */
  readonly other: unknown[];
  readonly codes: string[];
}

export function newWriteLog(): WriteLog {
  return { acknowledged: [], notCommitted: [], unknown: [], other: [], codes: [] };
}

/**
 * Appends deposits until `done()`: single appends (one autocommit statement) and two-stream
 * appendMany (a transaction) alternately, each event with an id chosen here, logged by outcome.
 */
export async function runWriter(store: PostgresEventStore, writer: number, done: () => boolean, log: WriteLog): Promise<void> {
  for (let round = 0; !done(); round++) {
    const ids = round % 2 === 0 ? [randomUUID()] : [randomUUID(), randomUUID()];
    try {
      if (ids.length === 1) {
        await store.appendToStream('Account', `w${writer}-a`, [{ type: 'MoneyDeposited', data: { amount: 1 }, eventId: ids[0]! }], { expectedVersion: 'any' });
      } else {
        await store.appendMany(
          ids.map((eventId, index) => ({
            aggregateType: 'Account',
            aggregateId: `w${writer}-${index === 0 ? 'b' : 'c'}`,
            events: [{ type: 'MoneyDeposited', data: { amount: 2 }, eventId }],
            expectedVersion: 'any' as const,
          })),
        );
      }
      log.acknowledged.push(...ids);
    } catch (error) {
      const outcome = (error as { outcome?: unknown }).outcome;
      if (isEsgenError(error)) log.codes.push(error.code);
      if (isEsgenError(error) && outcome === 'not-committed') log.notCommitted.push(ids);
      else if (isEsgenError(error) && outcome === 'unknown') log.unknown.push(ids);
      else log.other.push(error);
      await sleep(20);
    }
  }
}

export function storeOn(client: SqlClient): PostgresEventStore {
  return createEventStore({ client, registry, schema });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` holds (or throws after `timeoutMs`), for states reached asynchronously. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Stored event ids among `ids`. */
export async function storedIds(client: SqlClient, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await client.query<{ event_id: string }>(`SELECT event_id::text AS event_id FROM ${schema}.events WHERE event_id = ANY($1::uuid[])`, [ids]);
  return new Set(result.rows.map((row) => row.event_id));
}
