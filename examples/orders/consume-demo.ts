/**
 * A second service consuming the orders example's public events (`publish: true` in the spec)
 * from NATS JetStream with only the generated code: the generated `consumeOrderEvents` takes a
 * typed handler per public event, validates and upcasts payloads, dedups by event id. Prints each
 * event and stops after `COUNT` events (default: runs until Ctrl-C).
 *
 *   npx tsx examples/orders/consume-demo.ts      # NATS_URL, ORDERS_STREAM (default ORDERS), ORDERS_SUBJECT_PREFIX (default shop), COUNT
 */
import { connect } from '@nats-io/transport-node';
import { createMemoryDedupStore } from 'esgen/runtime';
import { consumeOrderEvents } from './src/generated/order/bus.js';

const stream = process.env.ORDERS_STREAM ?? 'ORDERS';
const subjectPrefix = process.env.ORDERS_SUBJECT_PREFIX ?? 'shop';
const count = process.env.COUNT === undefined ? Infinity : Number(process.env.COUNT);
const connection = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
let seen = 0;
let finish: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (finish = resolve));
const counted = () => {
  if (++seen >= count) finish();
};

const consumer = await consumeOrderEvents({
  connection,
  stream,
  subjectPrefix,
  name: process.env.CONSUMER_NAME ?? 'order_mailer',
  dedup: createMemoryDedupStore(),
  handlers: {
    OrderCreated: (event) => {
      console.log(`${event.aggregateId} v${event.version} created for ${event.data.userId}: ${event.data.totalAmount} ${event.data.currency}`);
      counted();
    },
    OrderPaid: (event) => {
      console.log(`${event.aggregateId} v${event.version} paid ${event.data.paidAmount} (payment ${event.data.paymentId})`);
      counted();
    },
    OrderShipped: (event) => {
      console.log(`${event.aggregateId} v${event.version} shipped, tracking ${event.data.trackingNumber}`);
      counted();
    },
  },
  onError: (error, message) => console.error(`${message.subject}: ${error instanceof Error ? error.message : String(error)}`),
});
process.once('SIGINT', finish);
await finished;
await consumer.stop();
await connection.close();
console.log(`consumed ${seen} events`);
