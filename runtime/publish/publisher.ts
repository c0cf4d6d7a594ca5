import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from '../contracts.js';
import { assertIdentifier } from '../identifiers.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { eventsChannel } from '../store/notify-channel.js';
import { ORIGIN, sameCheckpoint, type Checkpoint } from '../projections/checkpoint.js';
import { projectionContext, type ProjectionContext } from '../projections/projection-batch.js';
import { claimLease, fenceBatch } from '../projections/projection-leases.js';
import { advancePosition, ensurePosition, readPosition } from '../projections/projection-positions.js';
import { checkpointOfPosition, headCheckpoint, waitForCheckpoints, type WaitOptions } from '../projections/projection-waits.js';
import { sleep, WakeSignal } from '../projections/wake-signal.js';
import type { EventPublisher } from './event-publisher.js';
import { InvalidPublisherConfig, PublishFailed } from './publish-errors.js';
import { toOutgoingMessage, isSubjectPrefix } from './published-message.js';
import { readRawFeedPage } from './publisher-feed.js';
import { publisherPositionName, publisherStatements, type PublisherStatements } from './publisher-statements.js';

export interface PublisherOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema?: string;
  /** Stable name: the checkpoint, lease and pause switch are kept under it. */
  readonly name: string;
  /** The broker adapter, e.g. createJetStreamPublisher(…). Closed by stop(). */
  readonly broker: EventPublisher;
  /** Subject prefix the broker adapter uses; checked here so a bad one fails at start. */
  readonly subjectPrefix: string;
  /**
   * Events to publish besides the spec's public ones (`publish: true`). Default, with no public
   * event in the spec either: every event not marked `publish: false`. See selectEventTypes.
   */
  readonly events?: readonly string[];
  /** Publish the events of these aggregates too, except those the spec marks `publish: false`. */
  readonly aggregates?: readonly string[];
  /** Where a NEW publisher starts: 'start' (every stored event, default) or 'now'. */
  readonly from?: 'start' | 'now';
  /** Events per batch: read once, sent pipelined, acknowledged, then checkpointed. Default 256. */
  readonly batchSize?: number;
  readonly leaseSeconds?: number;
  /** Polling fallback when no notification arrives. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Longest wait between retries after a transient error (broker or database down). Default 5000. */
  readonly maxBackoffMs?: number;
  readonly workerId?: string;
  readonly onBatch?: (report: PublishReport) => void;
  /** Transient errors (retried with backoff) and poison events (the publisher stops on them). */
  readonly onError?: (error: unknown) => void;
}

export type PublishReport =
  | {
      readonly kind: 'published';
      readonly events: number;
      readonly duplicates: number;
      readonly checkpoint: Checkpoint;
      readonly caughtUp: boolean;
    }
  | {
      readonly kind: 'stopped';
      readonly events: number;
      readonly error: PublishFailed;
    };

export interface Publisher {
  readonly name: string;
  readonly workerId: string;
  /** Registers the publisher, then publishes in the background. */
  start(): Promise<void>;
  /** Finishes the running batch, releases the lease, closes the broker adapter. */
  stop(): Promise<void>;
  /** True while this process holds the publisher's lease (one process publishes at a time). */
  isActive(): boolean;
  /** Resolves once the event at `position` (as returned by an append) is acknowledged by the broker. */
  waitFor(position: bigint, options?: Omit<WaitOptions, 'projections'>): Promise<void>;
  /** Resolves once every event committed before the call is acknowledged. */
  waitForCatchUp(options?: Omit<WaitOptions, 'projections'>): Promise<void>;
}

/**
 * Forwards committed events to a message bus. It reads the store like an asynchronous read model
 * (the gap-safe global feed: no event is jumped over when a lower position commits late), sends a
 * batch, and moves its checkpoint only after the broker acknowledged every message of it, fenced
 * by its lease in the same transaction. A crash between acknowledgement and checkpoint sends the
 * batch again: the broker drops it by message id (the event id) within its duplicate window.
 * Across processes, the holder of the lease publishes and the others stand by.
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const name = assertIdentifier('publisher name', options.name);
  if (!isSubjectPrefix(options.subjectPrefix)) {
    throw new InvalidPublisherConfig(
      `The subject prefix ${JSON.stringify(options.subjectPrefix)} of publisher ${name} is not a NATS subject prefix: use dot-separated tokens without spaces, '*' or '>'.`,
    );
  }
  const eventTypes = selectEventTypes(options.registry, options.events, options.aggregates, name);
  const ctx = projectionContext(options.client, options.registry, options.schema);
  const statements = publisherStatements(ctx.tables);
  const positionName = publisherPositionName(name);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const batchSize = options.batchSize ?? 256;
  const leaseSeconds = options.leaseSeconds ?? 15;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const broker = options.broker;
  const wake = new WakeSignal();
  let running = false;
  let active = false;
  let loop: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function runLoop(): Promise<void> {
    let prepared = false;
    let checkpoint: Checkpoint | undefined;
    let failures = 0;
    let lastHeartbeat = 0;
    let unreported = 0;
    let errorShown = false;
    let lastClaim = 0;
    let paused = false;
    while (running) {
      let again = false;
      try {
        if (Date.now() - lastHeartbeat > (leaseSeconds * 1000) / 3) {
          await options.client.query(statements.heartbeat, [name, workerId, hostname(), process.pid, unreported]);
          await options.client.query(statements.pruneWorkers, [leaseSeconds]);
          unreported = 0;
          lastHeartbeat = Date.now();
        }
        if (!prepared) {
          await broker.prepare();
          prepared = true;
        }
        // While publishing, every batch's fence renews the lease and proves ownership: claim
        // (and re-read the pause switch) only when not active or a third of the lease has passed,
        // so a busy publisher spends its round trips on events. A pause lands within that time.
        const recheckMs = Math.min(500, (leaseSeconds * 1000) / 3);
        if (!active || Date.now() - lastClaim > recheckMs) {
          const wasActive = active;
          active = await claimLease(options.client, ctx.leases, positionName, workerId, leaseSeconds);
          if (!active || !wasActive) checkpoint = undefined;
          paused = active && (await isPaused(options.client, statements, name));
          lastClaim = Date.now();
        }
        if (active && !paused) {
          const state = checkpoint === undefined ? await readPosition(options.client, ctx.positions, positionName) : undefined;
          const waiting = state?.status === 'failed' && state.retryAt !== null && state.retryAt.getTime() > Date.now();
          if (state !== undefined && !waiting) checkpoint = state.checkpoint;
          if (checkpoint !== undefined && !waiting) {
            const outcome = await publishBatch(checkpoint);
            if (outcome.kind === 'published') unreported += outcome.events;
            if (outcome.kind === 'published' || outcome.kind === 'stopped') {
              checkpoint = outcome.kind === 'published' ? outcome.checkpoint : undefined;
              options.onBatch?.(outcome);
              again = outcome.kind === 'published' && !outcome.caughtUp;
            } else {
              checkpoint = undefined; // moved under us or fenced: re-read
              if (outcome.kind === 'fenced') active = false;
              again = outcome.kind === 'moved';
            }
          }
        }
        failures = 0;
        if (errorShown) {
          await options.client.query(statements.recordError, [name, workerId, null]);
          errorShown = false;
        }
      } catch (error) {
        options.onError?.(error);
        checkpoint = undefined;
        active = false;
        failures++;
        errorShown = true;
        await options.client.query(statements.recordError, [name, workerId, describe(error)]).catch(() => undefined);
        // Transient trouble: back off (100 ms doubling, capped), then read and send again.
        const backoff = Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures - 1, 16));
        await sleep(backoff * (0.75 + Math.random() * 0.5));
        continue;
      }
      if (running && !again) await wake.wait(pollIntervalMs);
    }
  }

  type Outcome = PublishReport | { readonly kind: 'idle' | 'moved' | 'fenced' };

  async function publishBatch(from: Checkpoint): Promise<Outcome> {
    const page = await readRawFeedPage(options.client, ctx.feed, from, batchSize, eventTypes, ctx.registry);
    if (page.events.length === 0 && sameCheckpoint(page.next, from)) return { kind: 'idle' };
    const messages = page.events.map((event) => toOutgoingMessage(options.subjectPrefix, event));
    const sent = messages.length === 0 ? { acknowledged: 0, duplicates: 0 } : await broker.send(messages);
    const fence = (tx: SqlExecutor) => fenceBatch(tx, ctx.leases, 'row-lock', positionName, workerId, leaseSeconds, ctx.tables.schema);
    return options.client.transaction(async (tx): Promise<Outcome> => {
      if ((await fence(tx)) !== 'ok') return { kind: 'fenced' };
      if (sent.rejected === undefined) {
        const ok = await advancePosition(tx, ctx.positions, positionName, from, page.next, page.events.length, null);
        if (!ok) return { kind: 'moved' };
        return {
          kind: 'published',
          events: page.events.length,
          duplicates: sent.duplicates,
          checkpoint: page.next,
          caughtUp: page.caughtUp,
        };
      }
      // A poison event: what was acknowledged before it is done; stop on it, visibly.
      const failing = page.events[sent.acknowledged]!;
      const before = page.events[sent.acknowledged - 1];
      const error = new PublishFailed(name, failing.position, failing.eventType, failing.eventId, sent.rejected.reason);
      const ok = await advancePosition(
        tx,
        ctx.positions,
        positionName,
        from,
        before === undefined ? from : { transactionId: before.transactionId, position: before.position },
        sent.acknowledged,
        null,
        {
          position: failing.position,
          transactionId: failing.transactionId,
          eventId: failing.eventId,
          eventType: failing.eventType,
          message: error.message,
        },
      );
      if (!ok) return { kind: 'moved' };
      options.onError?.(error);
      return { kind: 'stopped', events: sent.acknowledged, error };
    });
  }

  return {
    name,
    workerId,
    async start() {
      if (running) return;
      // 'now': the newest event below the gap-safety horizon, read the way batches read: starting
      // there may publish an event committed just before again (deduplicated), never skip one.
      const start = options.from === 'now' ? (await readRawFeedPage(options.client, ctx.feed, ORIGIN, 0, undefined)).next : ORIGIN;
      await ensurePosition(options.client, ctx.positions, positionName, 'publisher', start, null);
      await options.client.query(statements.register, [name, broker.destination, eventTypes]);
      running = true;
      try {
        unlisten = await options.client.listen(eventsChannel(ctx.tables.schema), () => wake.notify());
      } catch (error) {
        options.onError?.(error); // polling still works
      }
      loop = runLoop();
    },
    async stop() {
      if (!running) return;
      running = false;
      wake.notify();
      await loop;
      await unlisten?.().catch(() => undefined);
      await options.client.query(ctx.leases.release, [workerId, [positionName]]).catch(() => undefined);
      await options.client.query(statements.removeWorker, [name, workerId]).catch(() => undefined);
      active = false;
      await broker.close();
    },
    isActive: () => active,
    waitFor: (position, waitOptions = {}) =>
      waitForCheckpoints(ctx, [positionName], () => checkpointOfPosition(ctx, position), waitOptions, `position ${position}`),
    async waitForCatchUp(waitOptions = {}) {
      return waitForCheckpoints(ctx, [positionName], await headCheckpoint(ctx), waitOptions, 'head');
    },
  };
}

async function isPaused(client: SqlClient, statements: PublisherStatements, name: string): Promise<boolean> {
  const result = await client.query<{ paused: boolean }>(statements.paused, [name]);
  return result.rows[0]?.paused === true;
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
}

/**
 * The event types a publisher forwards: the spec's public events (`publish: true` on the event or
 * its aggregate) plus what the publisher's `events` and `aggregates` name. An aggregate named there
 * brings its events except those the spec keeps internal on purpose (`publish: false`); naming
 * such an event in `events` is a configuration error, like an unknown name, caught at start. With
 * no public event in the registry and no list, every event not marked `publish: false` (the
 * behaviour before specs could mark events).
 */
export function selectEventTypes(
  registry: Registry,
  events: readonly string[] | undefined,
  aggregates: readonly string[] | undefined,
  publisher: string,
): string[] {
  const all = Object.values(registry.events);
  const publicTypes = all.filter((event) => event.publish === true).map((event) => event.type);
  if (events === undefined && aggregates === undefined) {
    return publicTypes.length > 0 ? publicTypes : all.filter((event) => event.publish !== false).map((event) => event.type);
  }
  const selected = new Set<string>(publicTypes);
  const problems: string[] = [];
  for (const type of events ?? []) {
    const definition = Object.prototype.hasOwnProperty.call(registry.events, type) ? registry.events[type] : undefined;
    if (definition === undefined) problems.push(`event ${type} is not in the registry`);
    else if (definition.publish === false) problems.push(`event ${type} is internal (the spec says \`publish: false\`): remove it from \`events\`, or mark it \`publish: true\` in the spec`);
    else selected.add(type);
  }
  for (const aggregate of aggregates ?? []) {
    const spec = Object.prototype.hasOwnProperty.call(registry.aggregates, aggregate) ? registry.aggregates[aggregate] : undefined;
    if (spec === undefined) problems.push(`aggregate ${aggregate} is not in the registry`);
    else for (const type of spec.eventTypes) if (registry.events[type]?.publish !== false) selected.add(type);
  }
  if (problems.length > 0)
    throw new InvalidPublisherConfig(`Publisher ${publisher}: ${problems.join('; ')}. Check the spelling or regenerate the code with \`esgen build\`.`);
  if (selected.size === 0)
    throw new InvalidPublisherConfig(
      `Publisher ${publisher} selects no events: mark events \`publish: true\` in the spec, or list event types in \`events\` or aggregates in \`aggregates\`.`,
    );
  // Registry order (spec order), whatever the order of the lists.
  return all.map((event) => event.type).filter((type) => selected.has(type));
}

export type { ProjectionContext };
