import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReadModelDefinition, Registry } from '../contracts.js';
import type { SqlClient } from '../sql-client.js';
import { eventsChannel } from '../store/notify-channel.js';
import { ORIGIN, type Checkpoint } from './checkpoint.js';
import { processBatch, projectionContext, readModelWork, type BatchReport, type BatchWork, type ProjectionContext } from './projection-batch.js';
import { claimLease, fenceBatch, type ProjectionLockMode } from './projection-leases.js';
import { ensurePosition, readPosition } from './projection-positions.js';
import { ensureReadModelIndexes } from './read-model-indexes.js';
import { checkpointOfPosition, headCheckpoint, waitForCheckpoints, type WaitOptions } from './projection-waits.js';
import { sleep, WakeSignal } from './wake-signal.js';
import { checkManagerOptions, checkWaitOptions } from './projection-checks.js';
import { position as checkedPosition } from '../argument-checks.js';

export interface ReadModelManagerOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema?: string;
  /** Unique per process; default `<host>:<pid>:<random>`. */
  readonly workerId?: string;
  /** Events read per batch. Default 500. */
  readonly batchSize?: number;
  /** A dead worker's projections are taken over within about this long. Default 15. */
  readonly leaseSeconds?: number;
  /** Polling fallback when no notification arrives. Default 1000. */
  readonly pollIntervalMs?: number;
  /** How a batch fences a worker that lost its lease; see ProjectionLockMode. Default 'row-lock'. */
  readonly lock?: ProjectionLockMode;
  /** Run only these projections (default: every async read model of the registry). */
  readonly projections?: readonly string[];
  /**
   * Create the registry's read-model indexes on start (ensureReadModelIndexes; idempotent, one
   * catalog query when they exist). Default true.
   */
  readonly ensureIndexes?: boolean;
  /** Called after each committed (or failed) batch: progress output, metrics. */
  readonly onBatch?: (event: BatchReport) => void;
  /** Unexpected errors (connection loss …); the worker backs off and carries on. */
  readonly onError?: (error: unknown) => void;
}

export interface ReadModelManager {
  readonly workerId: string;
  /** Starts heartbeats, lease management and processing; returns once the worker is running. */
  start(): Promise<void>;
  /** Finishes running batches, releases leases and stops listening. */
  stop(): Promise<void>;
  /** Projections this worker holds the lease of right now. */
  held(): readonly string[];
  /** Waits until the projections have processed the event at `position` (as returned by an append). */
  waitFor(position: bigint, options?: WaitOptions): Promise<void>;
  /** Waits until the projections have processed every event committed before the call. */
  waitForCatchUp(options?: WaitOptions): Promise<void>;
}

interface Lane {
  readonly definition: ReadModelDefinition<any>;
  readonly work: BatchWork;
  checkpoint: Checkpoint | undefined;
  failed: boolean;
}

/**
 * The asynchronous projection worker. Any number of processes may run one against a database:
 * each projection is processed by the holder of its lease (projection_leases), every batch fences
 * itself inside its transaction (see ProjectionLockMode), a dead worker's leases expire after
 * `leaseSeconds`, and each worker holds at most ceil(projections / live workers) leases, live
 * workers being those with a recent heartbeat in projection_workers.
 *
 * @example
 * const manager = createReadModelManager({ client, registry });
 * await manager.start();
 * const { position } = await store.appendToStream(…);
 * await manager.waitFor(position);
 */
export function createReadModelManager(options: ReadModelManagerOptions): ReadModelManager {
  checkManagerOptions(options);
  const ctx = projectionContext(options.client, options.registry, options.schema);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const batchSize = options.batchSize ?? 500;
  const leaseSeconds = options.leaseSeconds ?? 15;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const lock = options.lock ?? 'row-lock';
  const wanted = options.projections === undefined ? undefined : new Set(options.projections);
  const definitions = Object.values(options.registry.readModels).filter(
    (definition) => definition.mode === 'async' && (wanted === undefined || wanted.has(definition.projection)),
  );
  const lanes = new Map<string, Lane>(
    definitions.map((definition) => [
      definition.projection,
      { definition, work: readModelWork(ctx, definition, definition.projection, definition.projection), checkpoint: undefined, failed: false },
    ]),
  );
  const names = [...lanes.keys()];
  const held = new Set<string>();
  const wake = new WakeSignal();
  let running = false;
  let loop: Promise<void> | undefined;
  let maintenanceTimer: NodeJS.Timeout | undefined;
  let maintaining: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  const report = (error: unknown) => options.onError?.(error);

  async function maintainLeases(): Promise<void> {
    await ctx.client.query(ctx.leases.heartbeat, [workerId, hostname(), process.pid]);
    await ctx.client.query(ctx.leases.pruneWorkers, [leaseSeconds]);
    const live = (await ctx.client.query<{ live: number }>(ctx.leases.liveWorkers, [leaseSeconds])).rows[0]?.live ?? 1;
    const share = Math.ceil(names.length / Math.max(1, live));
    const renewed = await ctx.client.query<{ projection_name: string }>(ctx.leases.renewAll, [workerId, leaseSeconds, [...held]]);
    const still = new Set(renewed.rows.map((row) => row.projection_name));
    for (const name of [...held]) if (!still.has(name)) drop(name);
    if (held.size > share) {
      // Another worker joined: hand back the surplus so work spreads (it claims them next tick).
      const surplus = [...held].slice(share);
      for (const name of surplus) drop(name);
      await ctx.client.query(ctx.leases.release, [workerId, surplus]);
      return;
    }
    if (!running) return;
    // Start at a worker-specific offset so workers starting together do not all contend for the same rows.
    const offset = hashOf(workerId) % Math.max(1, names.length);
    const order = [...names.slice(offset), ...names.slice(0, offset)];
    for (const name of order) {
      if (held.size >= share) break;
      if (held.has(name)) continue;
      if (await claimLease(ctx.client, ctx.leases, name, workerId, leaseSeconds)) {
        held.add(name);
        const lane = lanes.get(name);
        if (lane !== undefined) lane.checkpoint = undefined;
        wake.notify();
      }
    }
  }

  function drop(name: string): void {
    held.delete(name);
    const lane = lanes.get(name);
    if (lane !== undefined) lane.checkpoint = undefined;
  }

  function scheduleMaintenance(): void {
    const every = Math.max(100, (leaseSeconds * 1000) / 3);
    maintenanceTimer = setTimeout(() => {
      maintaining = maintainLeases()
        .catch(report)
        .finally(() => {
          maintaining = undefined;
          if (running) scheduleMaintenance();
        });
    }, every);
  }

  /** Processes one projection until it is caught up, stops on a failure, or loses its lease. */
  async function drain(name: string): Promise<boolean> {
    const lane = lanes.get(name)!;
    // The checkpoint row is read when the lane does not know where it is (just claimed, moved
    // under it) or stopped on a failure (retry due? retried or skipped by an operator?). A
    // running lane trusts its own checkpoint: if anything moved it, the conditional checkpoint
    // update says so ('moved') and the next round re-reads.
    if (lane.checkpoint === undefined || lane.failed) {
      const position = await readPosition(ctx.client, ctx.positions, name);
      if (position === undefined) return false;
      lane.failed = position.status === 'failed';
      if (lane.failed && position.retryAt !== null && position.retryAt.getTime() > Date.now()) return false;
      lane.checkpoint = position.checkpoint;
    }
    let progressed = false;
    while (running && held.has(name)) {
      // The lease was dropped and claimed again meanwhile: start over from the stored checkpoint.
      if (lane.checkpoint === undefined) return true;
      const fence = (tx: Parameters<typeof fenceBatch>[0]) => fenceBatch(tx, ctx.leases, lock, name, workerId, leaseSeconds, ctx.tables.schema);
      const outcome = await processBatch(ctx, lane.work, lane.checkpoint, batchSize, fence);
      if (outcome.kind !== 'idle') options.onBatch?.({ projection: name, outcome });
      switch (outcome.kind) {
        case 'idle':
          return progressed;
        case 'processed':
          lane.checkpoint = outcome.checkpoint;
          lane.failed = false;
          progressed = true;
          if (outcome.caughtUp) return progressed;
          break;
        case 'failed':
          lane.checkpoint = outcome.checkpoint;
          lane.failed = true;
          return progressed;
        case 'fenced':
          drop(name);
          return progressed;
        case 'busy':
          return progressed;
        case 'moved':
          lane.checkpoint = undefined; // re-read it on the next round
          return true;
      }
    }
    return progressed;
  }

  async function runLoop(): Promise<void> {
    while (running) {
      let progressed = false;
      try {
        const results = await Promise.all([...held].map((name) => drain(name)));
        progressed = results.some(Boolean);
      } catch (error) {
        report(error);
        await sleep(Math.min(pollIntervalMs, 1000));
      }
      if (!running) break;
      if (!progressed) await wake.wait(pollIntervalMs);
    }
  }

  return {
    workerId,
    async start() {
      if (running) return;
      if (options.ensureIndexes !== false) await ensureReadModelIndexes(ctx.client, options.registry, ctx.tables.schema);
      for (const lane of lanes.values()) {
        await ensurePosition(ctx.client, ctx.positions, lane.definition.projection, 'read_model', ORIGIN, lane.definition.fingerprint);
      }
      running = true;
      try {
        unlisten = await ctx.client.listen(eventsChannel(ctx.tables.schema), () => wake.notify());
      } catch (error) {
        report(error); // polling still works
      }
      await maintainLeases();
      scheduleMaintenance();
      loop = runLoop();
    },
    async stop() {
      if (!running) return;
      running = false;
      wake.notify();
      clearTimeout(maintenanceTimer);
      await loop;
      await maintaining;
      await unlisten?.().catch(report);
      const names = [...held];
      held.clear();
      await ctx.client.query(ctx.leases.release, [workerId, names]).catch(report);
      await ctx.client.query(ctx.leases.removeWorker, [workerId]).catch(report);
    },
    held: () => [...held],
    waitFor(position, waitOptions = {}) {
      checkedPosition('position', position);
      checkWaitOptions(options.registry, waitOptions);
      return waitForCheckpoints(ctx, waitOptions.projections ?? names, () => checkpointOfPosition(ctx, position), waitOptions, `position ${position}`);
    },
    async waitForCatchUp(waitOptions = {}) {
      checkWaitOptions(options.registry, waitOptions);
      const head = await headCheckpoint(ctx);
      return waitForCheckpoints(ctx, waitOptions.projections ?? names, head, waitOptions, 'head');
    },
  };
}

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash;
}

export type { BatchReport, ProjectionContext };
