/**
 * One projection worker process of the torture test. Prints "ready", one line per committed batch,
 * and stops cleanly on SIGTERM.
 * Usage: node --import tsx torture-worker.ts <databaseUrl> <schema> <workerId>
 */
import { createReadModelManager } from '../../../runtime/index.js';
import { createPgClient } from '../../../runtime/pg-client.js';
import { tortureRegistry } from './torture-registry.js';

const [databaseUrl, schema, workerId] = process.argv.slice(2) as [string, string, string];
const client = await createPgClient({ connectionString: databaseUrl, poolConfig: { max: 4 } });
const manager = createReadModelManager({
  client,
  registry: tortureRegistry,
  schema,
  workerId,
  batchSize: 40,
  leaseSeconds: 2,
  pollIntervalMs: 100,
  onBatch: ({ projection, outcome }) => {
    if (outcome.kind === 'processed') console.log(`batch ${projection} ${outcome.events}`);
  },
  onError: (error) => console.error(`worker error: ${error instanceof Error ? error.message : String(error)}`),
});
await manager.start();
console.log('ready');
process.on('SIGTERM', () => {
  void manager.stop().then(() => client.close()).then(() => process.exit(0));
});
