/**
 * Follows the store as events commit, without a stored checkpoint: what `esgen events tail` and
 * ad-hoc tools want. It reads through the same gap-safe feed as read models (an event whose
 * transaction commits late, below a later one, is still delivered, in global order) and wakes on
 * the append notification, polling in between, so a lost notification only delays an event.
 */
import type { EventEnvelope, Registry } from '../contracts.js';
import { InvalidArgument } from '../errors.js';
import type { SqlClient } from '../sql-client.js';
import { eventsChannel } from '../store/notify-channel.js';
import { ORIGIN, type Checkpoint } from './checkpoint.js';
import { readFeedPage } from './event-feed.js';
import { projectionContext } from './projection-batch.js';
import { WakeSignal } from './wake-signal.js';

export interface FollowEventsOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema?: string;
  /** 'now' (default): events committed from here on; 'start': every stored event first. */
  readonly from?: 'start' | 'now';
  /** Only these event types (default: all). */
  readonly eventTypes?: readonly string[];
  /** Poll interval when no notification arrives; default 250 ms. */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** Told about read failures; the follower retries after the poll interval. */
  readonly onError?: (error: unknown) => void;
}

export interface EventFollower {
  /** Stops after the event being handled; resolves when stopped. */
  stop(): Promise<void>;
  /** Settles when the follower stops: rejects if the handler threw. */
  readonly done: Promise<void>;
}

/**
 * Calls `handler` for each committed event, in global order, once per follower.
 *
 * @example
 * const follower = await followEvents({ client, registry, eventTypes: ['OrderPaid'] }, (event) => console.log(event.eventType));
 */
export async function followEvents(options: FollowEventsOptions, handler: (event: EventEnvelope) => void | Promise<void>): Promise<EventFollower> {
  if (typeof handler !== 'function') throw new InvalidArgument('handler', 'must be a function called with each event');
  const from = options.from ?? 'now';
  if (from !== 'start' && from !== 'now') throw new InvalidArgument('options.from', `must be 'start' or 'now', got ${JSON.stringify(from)}`);
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const ctx = projectionContext(options.client, options.registry, options.schema);
  const eventTypes = options.eventTypes === undefined ? undefined : [...options.eventTypes];
  const unknown = eventTypes?.filter((type) => !(type in options.registry.events)) ?? [];
  if (unknown.length > 0) throw new InvalidArgument('options.eventTypes', `names unknown event types: ${unknown.join(', ')}`);

  // 'now': the newest event below the gap-safety horizon, read the way every page is read.
  let checkpoint: Checkpoint = from === 'start' ? ORIGIN : (await readFeedPage(ctx.client, ctx.feed, ctx.registry, ORIGIN, 0, undefined)).next;
  const wake = new WakeSignal();
  const unlisten = await ctx.client.listen(eventsChannel(ctx.tables.schema), () => wake.notify()).catch(() => undefined);
  let stopping = false;

  async function run(): Promise<void> {
    try {
      while (!stopping) {
        let page: Awaited<ReturnType<typeof readFeedPage>>;
        try {
          page = await readFeedPage(ctx.client, ctx.feed, ctx.registry, checkpoint, batchSize, eventTypes);
        } catch (error) {
          // A read failure (connection lost, server restarting) is retried; a handler's throw is not.
          options.onError?.(error);
          await wake.wait(pollIntervalMs);
          continue;
        }
        for (const event of page.events) {
          if (stopping) return;
          await handler(event);
        }
        checkpoint = page.next;
        if (page.caughtUp && !stopping) await wake.wait(pollIntervalMs);
      }
    } finally {
      await unlisten?.().catch(() => undefined);
    }
  }
  const done = run();
  return {
    done,
    async stop() {
      stopping = true;
      wake.notify();
      await done.catch(() => undefined);
    },
  };

}
