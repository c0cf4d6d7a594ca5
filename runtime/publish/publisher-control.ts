import type { SqlClient } from '../sql-client.js';
import { ORIGIN } from '../projections/checkpoint.js';
import { feedStatements } from '../projections/event-feed.js';
import { leaseStatements, lockProjectionForSwitch, readLeaseOwners } from '../projections/projection-leases.js';
import { positionStatements, readAllPositions, type ProjectionErrorRecord } from '../projections/projection-positions.js';
import { projectionTables } from '../projections/projection-tables.js';
import { PublisherNotFailed, UnknownPublisher } from './publish-errors.js';
import { readRawFeedPage } from './publisher-feed.js';
import { publisherPositionName, publisherStatements } from './publisher-statements.js';

export interface PublisherWorkerStatus {
  readonly workerId: string;
  readonly host: string | null;
  readonly pid: number | null;
  /** Holds the lease: the one publishing. The others stand by. */
  readonly active: boolean;
  readonly secondsSinceHeartbeat: number;
  /** Events this worker published (as of its last heartbeat). */
  readonly published: bigint;
  /** The last transient error (broker or database unreachable), cleared once a cycle succeeds. */
  readonly lastError: string | null;
  readonly lastErrorAt: Date | null;
}

export interface PublisherStatus {
  readonly name: string;
  readonly destination: string | null;
  readonly eventTypes: readonly string[];
  readonly state: 'running' | 'paused' | 'failed';
  /** Global position of the last acknowledged event's checkpoint. */
  readonly position: bigint;
  /** Newest event readable now (gap-safe). */
  readonly head: bigint;
  /** Events of its types not yet acknowledged by the broker. */
  readonly lagEvents: number;
  /** Age of the oldest of them, in seconds. */
  readonly lagSeconds: number;
  readonly owner: string | null;
  readonly lastPublishedAt: Date;
  /** The poison event it stopped on (`esgen publish retry|skip`). */
  readonly lastError: ProjectionErrorRecord | undefined;
  readonly retryAt: Date | null;
  readonly workers: readonly PublisherWorkerStatus[];
}

export interface PublisherControlOptions {
  readonly schema?: string;
}

function context(schema: string | undefined) {
  const tables = projectionTables(schema);
  return {
    tables,
    statements: publisherStatements(tables),
    positions: positionStatements(tables),
    leases: leaseStatements(tables),
    feed: feedStatements(tables),
  };
}

interface PublisherRow {
  publisher_name: string;
  destination: string | null;
  event_types: string[] | null;
  paused: boolean;
}

/** Every publisher that ever ran against this database: position, lag, state, workers, errors. */
export async function publisherStatus(client: SqlClient, options: PublisherControlOptions = {}): Promise<PublisherStatus[]> {
  const ctx = context(options.schema);
  const publishers = (await client.query<PublisherRow>(ctx.statements.all)).rows;
  const positions = new Map((await readAllPositions(client, ctx.positions)).map((state) => [state.name, state]));
  const owners = await readLeaseOwners(client, ctx.leases);
  const head = (await readRawFeedPage(client, ctx.feed, ORIGIN, 0, undefined)).next;
  const workers = await client.query<{
    publisher_name: string;
    worker_id: string;
    host: string | null;
    pid: number | null;
    published: string;
    last_error: string | null;
    last_error_at: Date | null;
    silent_seconds: number | string;
  }>(ctx.statements.workers);
  const statuses: PublisherStatus[] = [];
  for (const row of publishers) {
    const positionName = publisherPositionName(row.publisher_name);
    const state = positions.get(positionName);
    const lease = owners.get(positionName);
    const owner = lease?.active ? lease.owner : null;
    const checkpoint = state?.checkpoint ?? ORIGIN;
    const eventTypes = row.event_types ?? [];
    const lag = await client.query<{ count: string | number; age: number | string | null }>(
      `SELECT count(*) AS count, extract(epoch FROM now() - min(occurred_at))::float8 AS age FROM ${ctx.tables.events}
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND event_type = ANY($3::text[])`,
      [checkpoint.transactionId.toString(), checkpoint.position.toString(), eventTypes],
    );
    statuses.push({
      name: row.publisher_name,
      destination: row.destination,
      eventTypes,
      state: row.paused ? 'paused' : (state?.status ?? 'running'),
      position: checkpoint.position,
      head: head.position,
      lagEvents: Number(lag.rows[0]?.count ?? 0),
      lagSeconds: Math.max(0, Number(lag.rows[0]?.age ?? 0)),
      owner,
      lastPublishedAt: state?.lastProcessedAt ?? new Date(0),
      lastError: state?.error,
      retryAt: state?.retryAt ?? null,
      workers: workers.rows
        .filter((worker) => worker.publisher_name === row.publisher_name)
        .map((worker) => ({
          workerId: worker.worker_id,
          host: worker.host,
          pid: worker.pid,
          active: worker.worker_id === owner,
          secondsSinceHeartbeat: Number(worker.silent_seconds),
          published: BigInt(worker.published),
          lastError: worker.last_error,
          lastErrorAt: worker.last_error_at,
        })),
    });
  }
  return statuses;
}

async function assertKnown(client: SqlClient, ctx: ReturnType<typeof context>, name: string): Promise<void> {
  const names = (await client.query<PublisherRow>(ctx.statements.all)).rows.map((row) => row.publisher_name);
  if (!names.includes(name)) throw new UnknownPublisher(name, names);
}

/** Pauses (true) or resumes (false) a publisher: its workers stop sending after the running batch. */
export async function setPublisherPaused(client: SqlClient, name: string, paused: boolean, options: PublisherControlOptions = {}): Promise<void> {
  const ctx = context(options.schema);
  await assertKnown(client, ctx, name);
  await client.query(ctx.statements.setPaused, [name, paused]);
}

/** Retries the event a publisher stopped on now (after the stream was fixed), resetting the backoff. */
export async function retryPublisher(client: SqlClient, name: string, options: PublisherControlOptions = {}): Promise<void> {
  const ctx = context(options.schema);
  await assertKnown(client, ctx, name);
  const result = await client.query(ctx.positions.retry, [publisherPositionName(name)]);
  if (result.rowCount === 0) throw new PublisherNotFailed(name, 'has not stopped on an event: there is nothing to retry');
}

/**
 * Passes over exactly the event a publisher stopped on: it is never published. Waits for a
 * running batch (the lease row lock), so it cannot interleave with one. `position`, when given,
 * must be the failing event's (guards against skipping an event that failed after you looked).
 */
export async function skipPublisherEvent(
  client: SqlClient,
  name: string,
  options: PublisherControlOptions & { readonly position?: bigint } = {},
): Promise<{ readonly position: bigint; readonly eventType: string | null }> {
  const ctx = context(options.schema);
  await assertKnown(client, ctx, name);
  const positionName = publisherPositionName(name);
  return client.transaction(async (tx) => {
    await lockProjectionForSwitch(tx, ctx.leases, positionName, ctx.tables.schema);
    const result = await tx.query<{ position: string; error_event_type: string | null }>(ctx.positions.skip, [
      positionName,
      options.position?.toString() ?? null,
    ]);
    const row = result.rows[0];
    if (row === undefined) {
      throw new PublisherNotFailed(
        name,
        options.position === undefined
          ? 'has not stopped on an event: there is nothing to skip'
          : `is not stopped on the event at position ${options.position}`,
      );
    }
    return { position: BigInt(row.position), eventType: row.error_event_type };
  });
}
