/**
 * The orders example as a running HTTP service, on embedded PGlite (in memory, or in
 * ORDERS_DATA_DIR) unless DATABASE_URL points at a server.
 *
 *   npm run example:server          # then: npm run example:scenario (another terminal)
 */
import { createEventSourcing } from 'esgen/runtime';
import { createOrdersApi } from './app/orders-api.js';
import { registry } from './src/generated/index.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
const schema = process.env.ORDERS_SCHEMA ?? 'orders_app';
const es = await createEventSourcing({
  registry,
  ...(databaseUrl ? { databaseUrl, schema } : process.env.ORDERS_DATA_DIR ? { dataDir: process.env.ORDERS_DATA_DIR } : {}),
});
// The read models are asynchronous: this process also runs their worker (several processes may: they share the work).
const worker = es.readModelManager({ pollIntervalMs: 200 });
await worker.start();
const server = createOrdersApi(es, worker);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : process.env.PORT;
  console.log(`orders API on http://127.0.0.1:${port} (${databaseUrl ? 'PostgreSQL server' : 'embedded PGlite'})`);
});

async function shutdown(): Promise<void> {
  server.close();
  await worker.stop();
  await es.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
