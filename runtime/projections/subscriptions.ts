import type { PersonalDataVault } from '../personal-data/personal-data-vault.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventEnvelope, Registry } from '../contracts.js';
import { assertIdentifier } from '../identifiers.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { eventsChannel } from '../store/notify-channel.js';
import type { MapperFailure } from './apply-events.js';
import { ORIGIN, type Checkpoint } from './checkpoint.js';
import { readFeedPage } from './event-feed.js';
import { processBatch, projectionContext, type BatchReport, type BatchWork, type ProjectionContext } from './projection-batch.js';
import { InvalidArgument } from '../errors.js';
import { claimLease, fenceBatch } from './projection-leases.js';
import { ensurePosition, readPosition } from './projection-positions.js';
import { checkpointOfPosition, headCheckpoint, waitForCheckpoints, type WaitOptions } from './projection-waits.js';
import { WakeSignal } from './wake-signal.js';
import { checkSubscribeOptions } from './projection-checks.js';

export type SubscriptionStart = 'start' | 'now' | bigint;

export interface SubscribeOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema?: string;
  /** Opens personal values of the events read (docs/personal-data.md); absent: an event with some is ESG251. */
  readonly personalData?: PersonalDataVault;
  /** Checkpoint name in projection_positions: keep it stable across deploys. */
  readonly name: string;
  /**
   * Where a NEW subscription starts: 'start' (every stored event), 'now' (events committed from
   * here on) or after the event at a global position. An existing checkpoint always wins.
   */
  readonly from?: SubscriptionStart;
  /** Only these event types (default: every type in the registry). */
  readonly eventTypes?: readonly string[];
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly leaseSeconds?: number;
  readonly workerId?: string;
  readonly onError?: (error: unknown) => void;
  readonly onBatch?: (report: BatchReport) => void;
}

export type SubscriptionHandler = (event: EventEnvelope) => Promise<void> | void;

export interface Subscription {
  readonly name: string;
  /** True while this process holds the subscription's lease (one process delivers at a time). */
  isActive(): boolean;
  waitFor(position: bigint, options?: Omit<WaitOptions, 'projections'>): Promise<void>;
  waitForCatchUp(options?: Omit<WaitOptions, 'projections'>): Promise<void>;
  /** Finishes the running batch and releases the lease. */
  stop(): Promise<void>;
}

/**
 * The gap-safe catch-up of the read models exposed to application code: the handler sees every
 * event of its types in global order, at least once. The checkpoint moves after the handler
 * returned for a whole batch; a crash in between redelivers the batch (make handlers idempotent,
 * e.g. keyed on event.eventId). A handler that throws stops the subscription at that event with
 * the error recorded (visible in `esgen projections status`), retried with backoff; `retry` and
 * `skip` resolve it as for read models. Across processes, one holder of the lease delivers.
 *
 * @example
 * const subscription = await subscribe({ client, registry, name: 'send-receipts', from: 'now', eventTypes: ['OrderPaid'] }, sendReceipt);
 */
export async function subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Promise<Subscription> {
  checkSubscribeOptions(options, handler);
  const ctx = projectionContext(options.client, options.registry, options.schema, options.personalData);
  const name = assertIdentifier('subscription name', options.name);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseSeconds = options.leaseSeconds ?? 15;
  const eventTypes = options.eventTypes ?? Object.keys(options.registry.events);
  const clash = Object.values(options.registry.readModels).find((definition) => definition.projection === name);
  if (clash !== undefined) throw new InvalidArgument('options.name', `${JSON.stringify(name)} is the projection name of a read model: choose another name`);

  await ensurePosition(ctx.client, ctx.positions, name, 'subscription', await startCheckpoint(ctx, options.from ?? 'start'), null);

  const work: BatchWork = {
    positionName: name,
    label: name,
    eventTypes,
    fingerprint: null,
    expectedFingerprint: null,
    async prepare(events) {
      for (let index = 0; index < events.length; index++) {
        try {
          await handler(events[index]!);
        } catch (error) {
          const failure: MapperFailure = { index, event: events[index]!, error };
          return { covered: index, failure };
        }
      }
      return { covered: events.length, failure: undefined };
    },
    write: async () => ({ changes: 0, failure: undefined }),
  };
  const fence = (tx: SqlExecutor) => fenceBatch(tx, ctx.leases, 'row-lock', name, workerId, leaseSeconds, ctx.tables.schema);
  const wake = new WakeSignal();
  let running = true;
  let active = false;
  // The client re-establishes a lost LISTEN by itself and wakes us once it is back.
  const unlisten = await ctx.client.listen(eventsChannel(ctx.tables.schema), () => wake.notify(), { onLost: (error) => options.onError?.(error) }).catch((error: unknown) => {
    options.onError?.(error);
    return undefined;
  });

  const loop = (async () => {
    while (running) {
      let again = false;
      try {
        active = await claimLease(ctx.client, ctx.leases, name, workerId, leaseSeconds);
        const position = active ? await readPosition(ctx.client, ctx.positions, name) : undefined;
        const waiting = position?.status === 'failed' && position.retryAt !== null && position.retryAt.getTime() > Date.now();
        if (position !== undefined && !waiting) {
          const outcome = await processBatch(ctx, work, position.checkpoint, batchSize, fence);
          if (outcome.kind !== 'idle') options.onBatch?.({ projection: name, outcome });
          again = (outcome.kind === 'processed' && !outcome.caughtUp) || outcome.kind === 'moved';
        }
      } catch (error) {
        options.onError?.(error);
      }
      if (running && !again) await wake.wait(pollIntervalMs);
    }
  })();

  return {
    name,
    isActive: () => active,
    waitFor: (position, waitOptions = {}) =>
      waitForCheckpoints(ctx, [name], () => checkpointOfPosition(ctx, position), waitOptions, `position ${position}`),
    async waitForCatchUp(waitOptions = {}) {
      const head = await headCheckpoint(ctx);
      return waitForCheckpoints(ctx, [name], head, waitOptions, 'head');
    },
    async stop() {
      running = false;
      wake.notify();
      await loop;
      await unlisten?.().catch(() => undefined);
      await ctx.client.query(ctx.leases.release, [workerId, [name]]).catch(() => undefined);
      active = false;
    },
  };
}

async function startCheckpoint(ctx: ProjectionContext, from: SubscriptionStart): Promise<Checkpoint> {
  if (from === 'start') return ORIGIN;
  if (from === 'now') {
    // The newest event below the gap-safety horizon, read the way batches read: starting there
    // may redeliver an event committed just before (at least once), never skip one.
    return (await readFeedPage(ctx.client, ctx.feed, ctx.registry, ORIGIN, 0, undefined)).next;
  }
  const checkpoint = await checkpointOfPosition(ctx, from);
  if (checkpoint === undefined) throw new InvalidArgument('options.from', `is position ${from}, where no committed event is: subscribe after an existing event, 'start' or 'now'`);
  return checkpoint;
}
