/**
 * `npm run bench -- --only recovery`: how long a projection worker takes to be useful again after
 * the server restarts. On a private cluster (test/support/private-cluster.ts: initdb + pg_ctl, run
 * as `postgres` when we are root), one worker with the default settings (reconnect backoff 100 ms
 * doubling to 2 s with jitter, poll 1 s, lease 15 s, default pool), repeated RESTARTS times:
 *   crash the server (`pg_ctl stop -m immediate`), keep it down DOWN_MS, start it (`pg_ctl start -w`
 *   returns once it accepts connections: t0), append one event as soon as possible, and measure
 *   until the worker's read model has it (t1). Recovery = t1 - t0, reported as the median.
 * `--only recovery:<n>` sets the number of restarts (default 7).
 */
import { createEventStore, createReadModelManager, type WorkerConnectionEvent } from '../runtime/index.js';
import { migrate } from '../runtime/admin.js';
import { ensureReadModelIndexes } from '../runtime/projections/read-model-indexes.js';
import { createPgClient } from '../runtime/pg-client.js';
import { startPrivateCluster } from '../test/support/private-cluster.js';
import { asyncLedgerRegistry as registry } from '../test/projections/fixtures/ledger-registry.js';
import type { BenchOptions } from './run.js';
import { median } from './support/measure.js';
import { formatNumber, printTable } from './support/print-table.js';

const DOWN_MS = 1_000;

export default async function recoveryBench(options: BenchOptions): Promise<void> {
  const restarts = options.only !== undefined && /^\d+$/.test(options.only) ? Number(options.only) : 7;
  const cluster = await startPrivateCluster();
  const schema = 'recovery';
  try {
    const setup = await createPgClient({ connectionString: cluster.url });
    await migrate(setup, { schema });
    await ensureReadModelIndexes(setup, registry, schema);
    await setup.close();

    const workerClient = await createPgClient({ connectionString: cluster.url });
    const events: WorkerConnectionEvent[] = [];
    const manager = createReadModelManager({ client: workerClient, registry, schema, onConnection: (event) => events.push(event), logger: false });
    await manager.start();
    const writerClient = await createPgClient({ connectionString: cluster.url });
    const store = createEventStore({ client: writerClient, registry, schema });

    const recovery: number[] = [];
    const reconnect: number[] = [];
    try {
      const warm = await store.appendToStream('Account', 'warm', [{ type: 'MoneyDeposited', data: { amount: 1 } }], { expectedVersion: 'any' });
      await manager.waitFor(warm.envelopes[0]!.position, { timeoutMs: 30_000 });
      for (let round = 1; round <= restarts; round++) {
        const restoredBefore = events.filter((event) => event.kind === 'restored').length;
        cluster.stop('immediate');
        await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
        cluster.start();
        const upAt = performance.now();
        let position: bigint | undefined;
        while (position === undefined) {
          try {
            const appended = await store.appendToStream('Account', `round-${round}`, [{ type: 'MoneyDeposited', data: { amount: round } }], { expectedVersion: 'any' });
            position = appended.envelopes[0]!.position;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 10)); // a pooled connection from before the crash
          }
        }
        await manager.waitFor(position, { timeoutMs: 60_000, pollMs: 5 });
        const doneAt = performance.now();
        recovery.push(doneAt - upAt);
        const restored = events.filter((event) => event.kind === 'restored');
        if (restored.length > restoredBefore) reconnect.push((restored.at(-1) as { downMs: number }).downMs);
        console.log(`  restart ${round}: worker processed a new event ${formatNumber(doneAt - upAt)} ms after the server accepted connections`);
      }
    } finally {
      await manager.stop();
      await workerClient.close();
      await writerClient.close();
    }
    printTable(
      `projection worker recovery after \`pg_ctl stop -m immediate\` + ${DOWN_MS} ms down + \`pg_ctl start -w\` (private cluster, ${restarts} restarts, default worker settings)`,
      ['measure', 'median', 'min', 'max'],
      [
        ['server up → new event in the read model (ms)', formatNumber(median(recovery)), formatNumber(Math.min(...recovery)), formatNumber(Math.max(...recovery))],
        ...(reconnect.length === 0
          ? []
          : [['connection lost → worker working again (ms, includes the downtime)', formatNumber(median(reconnect)), formatNumber(Math.min(...reconnect)), formatNumber(Math.max(...reconnect))]]),
      ],
    );
  } finally {
    cluster.dispose();
  }
}
