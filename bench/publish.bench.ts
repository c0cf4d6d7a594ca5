/**
 * Message-bus benchmarks, in a fresh schema (created and dropped here) of the database given by
 * --database-url / DATABASE_URL, and the NATS server at NATS_URL (default 127.0.0.1:4222), each
 * repetition into a fresh stream:
 *
 * - publish throughput: the esgen publisher (gap-safe feed, lease fence, checkpoint after the
 *   PubAcks) forwarding 20,000 stored events, beside a plain `pg` + `@nats-io/jetstream` loop
 *   sending the same messages (same subjects, headers, Nats-Msg-Id, payloads) with the same
 *   batching: read a page of 256 by keyset, publish it pipelined, await every PubAck, write a
 *   checkpoint row. Target: esgen ≥ 0.7 of that baseline. A third row sends the same messages
 *   from memory (no database at all): the broker's ceiling, for context.
 * - append → received: time from an append's return to a JetStream consumer receiving the event,
 *   through a running publisher (woken by LISTEN/NOTIFY, polling fallback 1 s); p50 and p99.
 *
 *   DATABASE_URL=postgres://…/mydb npm run bench -- --only publish
 *   npm run bench -- --only publish:throughput | publish:latency
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createPgClient } from '../runtime/pg-client.js';
import { migrate } from '../runtime/migrations/migrate.js';
import { createEventStore } from '../runtime/store/event-store.js';
import { createNatsPublisher } from '../runtime/publish/nats-publisher.js';
import { toOutgoingMessage, type OutgoingMessage } from '../runtime/publish/published-message.js';
import { registry } from '../examples/orders/src/generated/registry.js';
import type { BenchOptions } from './run.js';
import { DEFAULT_SERVER_URL } from './support/bench-database.js';
import { collectGarbage, median, time } from './support/measure.js';
import { formatNumber, printTable } from './support/print-table.js';

const EVENTS = 20_000;
const ORDERS = 2_000;
const BATCH = 256;
const REPETITIONS = 3;
const LATENCY_SAMPLES = 300;
const NATS_URL = process.env.NATS_URL ?? '127.0.0.1:4222';

export default async function benchPublish(options: BenchOptions): Promise<void> {
  const databaseUrl = options.databaseUrl ?? DEFAULT_SERVER_URL;
  const schema = `bench_publish_${process.pid}`;
  const client = await createPgClient({ connectionString: databaseUrl, poolConfig: { max: 4 } });
  const nc = await connect({ servers: NATS_URL });
  const streams: string[] = [];
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await migrate(client, { schema });
    const store = createEventStore({ client, registry, schema });
    await store.appendBulk(
      (function* () {
        for (let i = 0; i < EVENTS; i++) {
          const order = i % ORDERS;
          const version = Math.floor(i / ORDERS) + 1;
          yield version === 1
            ? {
                aggregateType: 'Order',
                aggregateId: `o-${order}`,
                type: 'OrderCreated',
                data: { userId: `u-${order}`, items: [{ sku: 'sku', quantity: 2, unitPrice: 4.5 }], totalAmount: 9, currency: 'EUR' },
              }
            : { aggregateType: 'Order', aggregateId: `o-${order}`, type: 'OrderPaid', data: { paymentId: `p-${i}`, paidAmount: 9 } };
        }
      })(),
    );
    await client.query(`ANALYZE ${schema}.events`);
    const fresh = async () => {
      const tag = randomBytes(4).toString('hex');
      const stream = `ESGEN_BENCH_${tag}`;
      streams.push(stream);
      await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`bench_${tag}.>`], duplicate_window: 120_000_000_000 });
      return { stream, prefix: `bench_${tag}`, tag };
    };

    if (options.only === undefined || options.only === 'throughput') {
      const samples = { esgen: [] as number[], baseline: [] as number[], memory: [] as number[] };
      const baselineClient = new pg.Client({ connectionString: databaseUrl });
      await baselineClient.connect();
      await baselineClient.query(`SET search_path TO ${schema}`);
      await baselineClient.query('CREATE TABLE IF NOT EXISTS bench_checkpoints (name text PRIMARY KEY, position bigint NOT NULL)');
      let memoryMessages: OutgoingMessage[] | undefined;
      for (let repetition = 0; repetition < REPETITIONS; repetition++) {
        // Contenders take turns in an order that changes per repetition (load bursts land on all).
        const order = [
          ['esgen', 'baseline', 'memory'],
          ['baseline', 'memory', 'esgen'],
          ['memory', 'esgen', 'baseline'],
        ][repetition % 3]!;
        for (const contender of order) {
          collectGarbage();
          const { stream, prefix, tag } = await fresh();
          if (contender === 'esgen') {
            const publisher = createNatsPublisher(
              { client, registry, schema },
              { name: `bench_${tag}`, connection: nc, subjectPrefix: prefix, stream: { name: stream }, batchSize: BATCH, pollIntervalMs: 1000 },
            );
            samples.esgen.push(
              await time(async () => {
                await publisher.start();
                await publisher.waitForCatchUp({ timeoutMs: 600_000, pollMs: 5 });
              }),
            );
            await publisher.stop();
          } else if (contender === 'baseline') {
            samples.baseline.push(await time(() => plainPublisher(baselineClient, nc, prefix, tag)));
          } else {
            memoryMessages ??= await allMessages(baselineClient, prefix);
            const messages = memoryMessages.map((message) => ({ ...message, subject: message.subject.replace(/^[^.]+/, prefix) }));
            samples.memory.push(await time(() => sendInBatches(nc, messages)));
          }
          const stored = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
          if (stored !== EVENTS) throw new Error(`${contender}: the stream holds ${stored} messages, expected ${EVENTS}`);
        }
      }
      await baselineClient.end();
      const rate = (ms: number) => (EVENTS / ms) * 1000;
      const esgen = median(samples.esgen);
      const baseline = median(samples.baseline);
      const memory = median(samples.memory);
      printTable(
        `publish throughput: ${formatNumber(EVENTS)} stored events to a fresh JetStream stream, batches of ${BATCH}, median of ${REPETITIONS}`,
        ['contender', 'ms', 'events/s', 'vs baseline', 'target'],
        [
          ['pg + jetstream loop (baseline)', formatNumber(baseline), formatNumber(rate(baseline)), '1.00', ''],
          ['esgen publisher', formatNumber(esgen), formatNumber(rate(esgen)), (baseline / esgen).toFixed(2), '≥ 0.70'],
          ['jetstream from memory (ceiling)', formatNumber(memory), formatNumber(rate(memory)), (baseline / memory).toFixed(2), ''],
        ],
      );
    }

    if (options.only === undefined || options.only === 'latency') {
      const { stream, prefix, tag } = await fresh();
      const publisher = createNatsPublisher(
        { client, registry, schema },
        { name: `latency_${tag}`, connection: nc, subjectPrefix: prefix, stream: { name: stream }, from: 'now', batchSize: BATCH, pollIntervalMs: 1000 },
      );
      await publisher.start();
      const arrived = new Map<string, number>();
      const waiting = new Map<string, () => void>();
      const consumer = await jetstream(nc).consumers.get(stream);
      const messages = await consumer.consume();
      const reading = (async () => {
        for await (const message of messages) {
          const id = message.headers?.get('Esgen-Event-Id') ?? '';
          arrived.set(id, performance.now());
          waiting.get(id)?.();
        }
      })();
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const { envelopes } = await store.appendToStream('Order', `lat-${i}`, [{ type: 'OrderPaid', data: { paymentId: `l-${i}`, paidAmount: 1 } }], {
          expectedVersion: 'any',
        });
        const appendedAt = performance.now();
        const id = envelopes[0]!.eventId;
        if (!arrived.has(id)) await new Promise<void>((resolve) => waiting.set(id, resolve));
        latencies.push(arrived.get(id)! - appendedAt);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await messages.close();
      await reading;
      await publisher.stop();
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      printTable(
        `append → received by a JetStream consumer, ${LATENCY_SAMPLES} single-event appends (LISTEN/NOTIFY wake-up, polling fallback 1 s)`,
        ['measure', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        [['append return → consumer', at(0.5).toFixed(1), at(0.9).toFixed(1), at(0.99).toFixed(1), sorted[sorted.length - 1]!.toFixed(1)]],
      );
    }
  } finally {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.close();
  }
}

const PAGE_SQL = `SELECT event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at, correlation_id, causation_id,
  global_position::text AS position, transaction_id::text AS transaction_id
FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`;

interface Row {
  event_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  event_type: string;
  event_version: number;
  event_data: unknown;
  occurred_at: Date;
  correlation_id: string | null;
  causation_id: string | null;
  position: string;
  transaction_id: string;
}

function messageOf(prefix: string, row: Row): OutgoingMessage {
  return toOutgoingMessage(prefix, {
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: row.event_version,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    version: row.version,
    position: BigInt(row.position),
    transactionId: BigInt(row.transaction_id),
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    payload: JSON.stringify(row.event_data),
  });
}

/** What a team would write by hand: keyset pages, a pipelined batch, every PubAck, a checkpoint. */
async function plainPublisher(client: pg.Client, nc: NatsConnection, prefix: string, name: string): Promise<void> {
  let after = '0';
  await client.query('INSERT INTO bench_checkpoints (name, position) VALUES ($1, 0)', [name]);
  for (;;) {
    const rows = (await client.query<Row>(PAGE_SQL, [after, BATCH])).rows;
    if (rows.length === 0) return;
    await sendInBatches(
      nc,
      rows.map((row) => messageOf(prefix, row)),
    );
    after = rows[rows.length - 1]!.position;
    await client.query('UPDATE bench_checkpoints SET position = $2 WHERE name = $1', [name, after]);
  }
}

async function allMessages(client: pg.Client, prefix: string): Promise<OutgoingMessage[]> {
  return (await client.query<Row>(PAGE_SQL, ['0', EVENTS])).rows.map((row) => messageOf(prefix, row));
}

async function sendInBatches(nc: NatsConnection, messages: readonly OutgoingMessage[]): Promise<void> {
  const js = jetstream(nc);
  for (let start = 0; start < messages.length; start += BATCH) {
    await Promise.all(
      messages.slice(start, start + BATCH).map((message) => {
        const headers = natsHeaders();
        for (const [key, value] of Object.entries(message.headers)) headers.set(key, value);
        return js.publish(message.subject, message.payload, { msgID: message.messageId, headers });
      }),
    );
  }
}
