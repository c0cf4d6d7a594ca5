import type { NatsConnection } from '@nats-io/transport-node';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { assertIdentifier } from '../identifiers.js';
import type { SqlExecutor } from '../sql-client.js';
import { EVENT_HEADERS } from '../publish/published-message.js';
import { decodeEvent, type EventCatalog, type IncomingMessage, type PublishedEvent } from './decode-event.js';
import { createMemoryDedupStore, type DedupStore } from './dedup-store.js';
import { loadNats } from '../publish/jetstream-publisher.js';

export interface HandlerContext {
  /** The dedup store's transaction (PostgreSQL store): write through it to commit with the event's id. */
  readonly tx: SqlExecutor | undefined;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
}

/** One handler per event type; `TEvents` maps event types to their current payload types. */
export type EventHandlers<TEvents extends object> = {
  readonly [K in keyof TEvents & string]?: (event: PublishedEvent<K, TEvents[K]>, context: HandlerContext) => Promise<void> | void;
};

export interface EventConsumerOptions<TEvents extends object> {
  readonly connection: NatsConnection;
  readonly stream: string;
  /** Durable consumer name: created when missing, its position kept by JetStream. */
  readonly name: string;
  /** The generated registry (its `events` suffice). */
  readonly registry: EventCatalog;
  readonly handlers: EventHandlers<TEvents>;
  /** Only subjects matching this (e.g. `orders.Order.>`); default every subject of the stream. */
  readonly filterSubject?: string;
  /** Default: in memory (handled-once within this process only). */
  readonly dedup?: DedupStore;
  /** Redelivery after a failed handler: 1 s doubling per attempt, capped here. Default 30000. */
  readonly maxRetryDelayMs?: number;
  /** How long JetStream waits for an ack before redelivering. Default 30 s. */
  readonly ackWaitSeconds?: number;
  /** A handler failed (the message is nak'ed and redelivered) or a message was invalid (terminated). */
  readonly onError?: (error: unknown, message: { readonly subject: string; readonly eventId: string | undefined }) => void;
}

export interface EventConsumer {
  readonly name: string;
  /** Handled, skipped as duplicates, ignored (no handler), terminated (invalid), failed attempts. */
  readonly counts: {
    handled: number;
    duplicates: number;
    ignored: number;
    terminated: number;
    failed: number;
  };
  stop(): Promise<void>;
}

/**
 * Consumes published events with typed handlers: a durable pull consumer on the stream, messages
 * handled one at a time in stream order (order per aggregate holds while handlers succeed). For each
 * message: no handler for its type → ack; invalid (headers, JSON, payload per the generated
 * validator, unknown type) → terminated, reported through onError, never handled; else decoded
 * (upcast to the current version), run through the dedup store (a duplicate is acked unhandled),
 * acked after the handler returns, nak'ed with backoff when it throws.
 *
 * @example
 * const consumer = await createEventConsumer<OrderEvents>({ connection, stream: 'ORDERS', name: 'billing', registry,
 *   handlers: { OrderPaid: async (event) => { await bill(event.data.paymentId); } } });
 */
export async function createEventConsumer<TEvents extends object = Record<string, unknown>>(options: EventConsumerOptions<TEvents>): Promise<EventConsumer> {
  const name = assertIdentifier('consumer name', options.name);
  const dedup = options.dedup ?? createMemoryDedupStore();
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, JetStreamApiError } = (await loadNats()).js;
  const jsm = await jetstreamManager(options.connection);
  try {
    await jsm.consumers.info(options.stream, name);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === 10014)) throw error; // 10014: consumer not found
    await jsm.consumers.add(options.stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: (options.ackWaitSeconds ?? 30) * 1_000_000_000,
      ...(options.filterSubject === undefined ? {} : { filter_subject: options.filterSubject }),
    });
  }
  const consumer = await jetstream(options.connection).consumers.get(options.stream, name);
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: 100,
  });
  const counts = {
    handled: 0,
    duplicates: 0,
    ignored: 0,
    terminated: 0,
    failed: 0,
  };
  const handlers = options.handlers as Record<string, ((event: PublishedEvent, context: HandlerContext) => Promise<void> | void) | undefined>;

  async function handle(message: JsMsg): Promise<void> {
    const incoming: IncomingMessage = {
      subject: message.subject,
      header: (header) => (message.headers?.has(header) ? message.headers.get(header) : undefined),
      text: () => message.string(),
    };
    const eventId = incoming.header(EVENT_HEADERS.eventId);
    const type = incoming.header(EVENT_HEADERS.eventType);
    const handler = type === undefined || !Object.prototype.hasOwnProperty.call(handlers, type) ? undefined : handlers[type];
    if (type !== undefined && handler === undefined) {
      counts.ignored++;
      message.ack();
      return;
    }
    let event: PublishedEvent;
    try {
      event = decodeEvent(options.registry, incoming);
    } catch (error) {
      // Redelivering cannot make it valid: terminate it, with the reason, and say so.
      counts.terminated++;
      message.term(); // no reason text: servers before 2.10 ignore a +TERM that carries one
      options.onError?.(error, { subject: message.subject, eventId });
      return;
    }
    try {
      const outcome = await dedup.once(event.eventId, async (tx) => {
        await handler!(event, {
          tx,
          deliveryCount: message.info.deliveryCount,
        });
      });
      if (outcome === 'handled') counts.handled++;
      else counts.duplicates++;
      message.ack();
    } catch (error) {
      counts.failed++;
      message.nak(Math.min(maxRetryDelayMs, 1000 * 2 ** Math.min(message.info.deliveryCount - 1, 16)));
      options.onError?.(error, { subject: message.subject, eventId });
    }
  }

  const loop = (async () => {
    for await (const message of messages) await handle(message);
  })();

  return {
    name,
    counts,
    async stop() {
      await messages.close();
      await loop;
    },
  };
}
