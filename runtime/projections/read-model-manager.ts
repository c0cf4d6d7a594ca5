import type { PersonalDataVault } from '../personal-data/personal-data-vault.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReadModelDefinition, Registry } from '../contracts.js';
import type { SqlClient } from '../sql-client.js';
import { eventsChannel } from '../store/notify-channel.js';
import type { Checkpoint } from './checkpoint.js';
import { processBatch, projectionContext, readModelWork, type BatchReport, type BatchWork, type ProjectionContext } from './projection-batch.js';
import { claimLease, fenceBatch, type ProjectionLockMode } from './projection-leases.js';
import { readPosition } from './projection-positions.js';
import { ReadModelShapeChanged, type StaleReadModel } from './projection-errors.js';
import { ensureReadModelShapes, type ShapeChangePolicy } from './read-model-shapes.js';
import { ensureReadModelIndexes } from './read-model-indexes.js';
import { checkpointOfPosition, headCheckpoint, waitForCheckpoints, type WaitOptions } from './projection-waits.js';
import { sleep, WakeSignal } from './wake-signal.js';
import { retryWhileUnreachable, type ReconnectOptions } from '../backoff.js';
import { isConnectionFault } from '../errors.js';
import { ConnectionHealth, type WorkerConnectionEvent, type WorkerLogger } from './connection-health.js';
import { checkManagerOptions, checkWaitOptions } from './projection-checks.js';
import { position as checkedPosition } from '../argument-checks.js';

export interface ReadModelManagerOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema?: string;
  /** Opens personal values of the events read (createEventSourcing passes its own; docs/personal-data.md). */
  readonly personalData?: PersonalDataVault;
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
  /**
   * A read model whose stored rows were built by another mapping or mode (docs/read-models.md,
   * "When the shape changes"): `rebuild` (default) rebuilds it in start() before processing it
   * (one process rebuilds, the others wait for its switch); `refuse` makes start() throw
   * ReadModelShapeChanged (ESG227).
   */
  readonly onShapeChange?: ShapeChangePolicy;
  /** Called when start() rebuilds a read model, or waits for another process rebuilding it. */
  readonly onShapeRebuild?: (stale: StaleReadModel, action: 'rebuilding' | 'waiting') => void;
  /** Called after each committed (or failed) batch: progress output, metrics. */
  readonly onBatch?: (event: BatchReport) => void;
  /** Unexpected errors (a connection loss is reported once per outage); the worker backs off and carries on. */
  readonly onError?: (error: unknown) => void;
  /** The worker's connection: waiting for the server at start, lost, restored. */
  readonly onConnection?: (event: WorkerConnectionEvent) => void;
  /**
   * Backoff while the server is away (start() waits for an unreachable server and gives up with
   * DatabaseUnreachable after giveUpAfterMs; a running worker retries until stopped).
   * Default: 100 ms doubling to 2 s, with jitter; give up after 60 s.
   */
  readonly reconnect?: ReconnectOptions;
  /** Where connection loss and recovery are logged (one line each); false for none. Default console. */
  readonly logger?: WorkerLogger | false;
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
  /** The stored rows have another shape (rebuilt by other code since start): never claimed again. */
  standingDown: boolean;
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
  const ctx = projectionContext(options.client, options.registry, options.schema, options.personalData);
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
      { definition, work: readModelWork(ctx, definition, definition.projection, definition.projection), checkpoint: undefined, failed: false, standingDown: false },
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
  let stopRequested = false;

  const report = (error: unknown) => options.onError?.(error);
  const health = new ConnectionHealth({
    name: `worker ${workerId}`,
    reconnect: options.reconnect,
    logger: options.logger === false ? undefined : (options.logger ?? console),
    onConnection: options.onConnection,
    onError: options.onError,
    onRestored() {
      // Where a lane stands is re-read (a batch may have committed unheard), and leases are re-taken now.
      for (const lane of lanes.values()) lane.checkpoint = undefined;
      maintainNow();
      wake.notify();
    },
  });
  /** A failed round: a connection fault counts towards the outage and returns its backoff wait. */
  const failed = (error: unknown): number => {
    if (!isConnectionFault(error)) {
      report(error);
      return Math.min(pollIntervalMs, 1000);
    }
    for (const lane of lanes.values()) lane.checkpoint = undefined;
    return health.lost(error);
  };

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
      if (held.has(name) || lanes.get(name)?.standingDown === true) continue;
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

  function scheduleMaintenance(delayMs = Math.max(100, (leaseSeconds * 1000) / 3)): void {
    clearTimeout(maintenanceTimer);
    maintenanceTimer = setTimeout(runMaintenance, delayMs);
  }

  function runMaintenance(): void {
    if (maintaining !== undefined || !running) return;
    let retryIn: number | undefined;
    maintaining = maintainLeases()
      .then(
        () => health.ok(),
        (error: unknown) => {
          // While the server is away, try again at the backoff pace rather than a third of a lease.
          retryIn = failed(error);
        },
      )
      .finally(() => {
        maintaining = undefined;
        if (running) scheduleMaintenance(retryIn);
      });
  }

  /** Heartbeat and lease claims right away (after a reconnect). */
  function maintainNow(): void {
    if (running && maintaining === undefined) scheduleMaintenance(0);
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
      const fingerprint = lane.definition.fingerprint;
      if (position.fingerprint !== null && position.fingerprint !== fingerprint) {
        // Another process switched in rows of its own shape (a newer deploy): this worker's
        // mapping must not touch them. It reports, hands the lease back for the new code's
        // workers and leaves the projection alone until it is restarted with that code.
        report(new ReadModelShapeChanged([{ projection: name, mode: lane.definition.mode, storedFingerprint: position.fingerprint, fingerprint, rows: -1 }]));
        lane.standingDown = true;
        drop(name);
        await ctx.client.query(ctx.leases.release, [workerId, [name]]);
        return false;
      }
      lane.failed = position.status === 'failed';
      if (lane.failed && position.retryAt !== null && position.retryAt.getTime() > Date.now()) return false;
      lane.checkpoint = position.checkpoint;
    }
    let progressed = false;
    while (running && held.has(name)) {
      // The lease was dropped and claimed again meanwhile: start over from the stored checkpoint.
      if (lane.checkpoint === undefined) return true;
      const fence = (tx: Parameters<typeof fenceBatch>[0]) => fenceBatch(tx, ctx.leases, lock, name, workerId, leaseSeconds, ctx.tables.schema, 'deferred');
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
        if (held.size > 0) health.ok();
      } catch (error) {
        await sleep(failed(error));
      }
      if (!running) break;
      if (!progressed) await wake.wait(pollIntervalMs);
    }
  }

  /** LISTEN for appends; the client re-establishes it after a loss and wakes the worker. */
  async function listenForAppends(): Promise<(() => Promise<void>) | undefined> {
    try {
      return await ctx.client.listen(eventsChannel(ctx.tables.schema), () => wake.notify(), {
        onLost: (error) => health.lost(error),
        onRestored: () => health.ok(),
      });
    } catch (error) {
      if (isConnectionFault(error)) throw error;
      report(error); // polling still works
      return undefined;
    }
  }

  return {
    workerId,
    async start() {
      if (running) return;
      stopRequested = false;
      // A server that is down (or still starting) is waited for, with backoff, up to giveUpAfterMs.
      await retryWhileUnreachable(
        async () => {
          if (options.ensureIndexes !== false) await ensureReadModelIndexes(ctx.client, options.registry, ctx.tables.schema);
          // Rows of another shape are rebuilt (or refused) before this worker applies its mapping to them.
          await ensureReadModelShapes(ctx, definitions, {
            onShapeChange: options.onShapeChange ?? 'rebuild',
            workerId: `${workerId}:replayer`,
            ...(options.onShapeRebuild ? { onStale: options.onShapeRebuild } : {}),
          });
          unlisten ??= await listenForAppends();
        },
        { ...options.reconnect, onRetry: (error, attempt, delayMs) => health.waiting(error, attempt, delayMs), stopped: () => stopRequested },
      );
      running = true;
      try {
        await maintainLeases();
      } catch (error) {
        if (!isConnectionFault(error)) throw error;
        failed(error); // lost again right away: the maintenance timer retries
      }
      scheduleMaintenance();
      loop = runLoop();
    },
    async stop() {
      stopRequested = true;
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

export type { BatchReport, ProjectionContext, WorkerConnectionEvent, WorkerLogger };
