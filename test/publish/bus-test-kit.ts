/**
 * Helpers of the message-bus suites: unique stream names on the shared NATS server, reading a
 * whole stream back, and writers that commit, hold and roll back transactions.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { createEventStore, type OnAppend, type PostgresEventStore } from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { registry } from '../../examples/orders/src/generated/registry.js';

export { registry };

export const NATS_URL = process.env.NATS_URL ?? '127.0.0.1:4222';

/** A stream name and subject prefix no other test (or helper) uses. */
export function uniqueStream(): { stream: string; prefix: string } {
  const tag = randomBytes(5).toString('hex');
  return { stream: `ESGEN_T_${tag}`, prefix: `esgen_t_${tag}` };
}

export async function natsConnection(servers = NATS_URL): Promise<NatsConnection> {
  return connect({ servers, timeout: 5000 });
}

export async function deleteStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
}

export interface ReceivedMessage {
  readonly subject: string;
  readonly sequence: number;
  readonly headers: Record<string, string>;
  readonly payload: string;
}

/** Every message of the stream in stream order, through an ordered consumer. */
export async function readStream(nc: NatsConnection, stream: string): Promise<ReceivedMessage[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const consumer = await jetstream(nc).consumers.get(stream);
  const received: ReceivedMessage[] = [];
  while (received.length < total) {
    const batch = await consumer.fetch({
      max_messages: Math.min(500, total - received.length),
      expires: 5000,
    });
    let got = 0;
    for await (const message of batch) {
      received.push(toReceived(message));
      got++;
    }
    if (got === 0) throw new Error(`stream ${stream}: read ${received.length} of ${total} messages, then nothing more`);
  }
  return received;
}

export function toReceived(message: JsMsg): ReceivedMessage {
  const headers: Record<string, string> = {};
  for (const [key, values] of message.headers ?? []) headers[key] = values[0] ?? '';
  return {
    subject: message.subject,
    sequence: message.seq,
    headers,
    payload: message.string(),
  };
}

/** Committed events of the store, as (id → aggregate, version, position). */
export async function committedEvents(client: SqlClient, schema: string) {
  const result = await client.query<{
    event_id: string;
    aggregate_id: string;
    version: number;
    position: string;
    event_type: string;
    event_data: unknown;
  }>(`SELECT event_id, aggregate_id, version, global_position::text AS position, event_type, event_data FROM "${schema}".events ORDER BY global_position`);
  return result.rows;
}

/**
 * Writers that each append `appends` times to orders of their own, in parallel: about 10 % of the
 * transactions roll back after their insert (positions taken, never committed) and 15 % are held
 * open for a while (later positions commit first). Returns the ids of the rolled-back events.
 */
export async function runWriters(
  client: SqlClient,
  schema: string,
  /** `keepWriting`: after `appends`, each writer goes on while it returns true (so a test's faults never outlast the writes). */
  options: { writers: number; appends: number; seed?: number; keepWriting?: () => boolean },
): Promise<{ committed: number; rolledBack: Set<string> }> {
  const rolledBack = new Set<string>();
  class Rollback extends Error {}
  const onAppend: OnAppend = async (_tx, events) => {
    const plan = events[0]?.metadata.plan;
    if (plan === 'hold') await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 120));
    if (plan === 'rollback') {
      for (const event of events) rolledBack.add(event.eventId);
      throw new Rollback('deliberate rollback');
    }
  };
  const store = createEventStore({ client, registry, schema, onAppend });
  let committed = 0;
  let random = (options.seed ?? 1) * 7919 + 17;
  const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
  await Promise.all(
    Array.from({ length: options.writers }, async (_, writer) => {
      const versions = new Map<string, number>();
      for (let i = 0; i < options.appends || options.keepWriting?.() === true; i++) {
        const order = `s${options.seed ?? 1}-w${writer}-o${Math.floor(next() * 4)}`;
        const version = versions.get(order) ?? 0;
        const events = version === 0 ? [orderCreated(writer)] : Array.from({ length: 1 + Math.floor(next() * 3) }, () => orderPaid(next()));
        const roll = next();
        const plan = roll < 0.1 ? 'rollback' : roll < 0.25 ? 'hold' : 'commit';
        try {
          const result = await store.appendToStream('Order', order, events, {
            expectedVersion: version,
            metadata: { plan },
            correlationId: randomUUID(),
          });
          versions.set(order, result.nextVersion);
          committed += events.length;
        } catch (error) {
          if (!(error instanceof Rollback)) throw error;
        }
      }
    }),
  );
  return { committed, rolledBack };
}

export function orderCreated(writer: number) {
  return {
    type: 'OrderCreated',
    data: {
      userId: `user-${writer}`,
      items: [{ sku: 'sku-1', quantity: 1, unitPrice: 9.5 }],
      totalAmount: 9.5,
      currency: 'EUR',
    },
  };
}

export function orderPaid(seed: number) {
  return {
    type: 'OrderPaid',
    data: {
      paymentId: `pay-${Math.floor(seed * 1e9)}`,
      paidAmount: Math.round(seed * 10000) / 100,
    },
  };
}

export async function prepareStore(client: SqlClient, schema: string): Promise<PostgresEventStore> {
  await migrate(client, { schema });
  return createEventStore({ client, registry, schema });
}
