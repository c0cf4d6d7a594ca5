/** `esgen publish …` run as the real binary (`node bin/esgen.js`, dist/ built by the global setup), on a real NATS server. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { createEventStore, EVENT_HEADERS, type SqlClient } from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { onServer, serverUrl } from '../support/database.js';
import { deleteStream, natsConnection, NATS_URL, readStream, registry, uniqueStream } from './bus-test-kit.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const registryModule = join(root, 'examples/orders/src/generated/registry.ts');

describe('esgen publish', () => {
  let dir: string;
  let nc: NatsConnection;
  const { stream, prefix } = uniqueStream();
  const schema = `pub_${process.pid}_${Date.now() % 100000}`;
  const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
  const open = async (): Promise<SqlClient> =>
    onServer ? createPgClient({ connectionString: serverUrl! }) : createPgliteClient({ dataDir: join(dir, 'pgdata') });
  const options = () => (onServer ? { schema } : {});
  const env = () => ({ ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1', NATS_URL }) as NodeJS.ProcessEnv;

  async function esgen(args: string[]) {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'publish', ...args, ...target()], { cwd: dir, env: env() });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** `esgen publish run` until `until` matches its output (or `forMs` passed), then SIGTERM. */
  async function runPublisher(until: RegExp | undefined, forMs = 20_000): Promise<string> {
    const child = spawn(process.execPath, [bin, 'publish', 'run', '--registry', registryModule, ...target()], { cwd: dir, env: env() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const wait = async (done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline && !done() && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    // Started (its signal handlers are installed) before anything else counts.
    await wait(() => /esgen: publishing/.test(output), 60_000);
    await wait(() => until !== undefined && until.test(output), forMs);
    if (until !== undefined && !until.test(output)) {
      child.kill('SIGKILL');
      throw new Error(`esgen publish run never printed ${until}:\n${output}`);
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    expect(output).toMatch(/publishers stopped/);
    return output;
  }

  async function append(aggregateId: string, events: { type: string; data: unknown }[], expectedVersion: number): Promise<bigint[]> {
    const client = await open();
    try {
      const store = createEventStore({ client, registry, ...options() });
      return (await store.appendToStream('Order', aggregateId, events, { expectedVersion })).envelopes.map((event) => event.position);
    } finally {
      await client.close();
    }
  }

  const created = (items: number) => ({
    type: 'OrderCreated',
    data: {
      userId: 'u',
      items: Array.from({ length: items }, (_, i) => ({ sku: `sku-${i}`, quantity: 1, unitPrice: 1 })),
      totalAmount: items,
      currency: 'EUR',
    },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-publish-'));
    writeFileSync(
      join(dir, 'esgen.config.yaml'),
      `publishers:
  orders_bus:
    subjectPrefix: ${prefix}
    stream: { name: ${stream}, maxMessageBytes: 2048, duplicateWindowSeconds: 600 }
    events: [OrderCreated, OrderPaid] # with the spec's public events (OrderShipped too)
    batchSize: 3
`,
    );
    const client = await open();
    await migrate(client, options());
    await client.close();
    nc = await natsConnection();
  });
  afterAll(async () => {
    await deleteStream(nc, stream);
    await nc.close();
    if (onServer) {
      const client = await open();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops on a poison event with a clear error, shows it in status (exit 1), and skip passes over exactly that event', async () => {
    await append('a-1', [created(1), { type: 'OrderPaid', data: { paymentId: 'p1', paidAmount: 1 } }], 0);
    const poison = (await append('a-2', [created(60)], 0))[0]!; // about 3 KB: larger than the stream's 2048 bytes
    await append('a-3', [created(2)], 0);

    const first = await runPublisher(/stopped: /);
    expect(first).toMatch(
      new RegExp(
        `orders_bus: stopped: Publisher orders_bus stopped on event OrderCreated [0-9a-f-]{36} at position ${poison}: the broker refused it \\(.*maximum.*\\)`,
      ),
    );
    expect(first).toMatch(/esgen publish retry.*esgen publish skip/);

    const status = await esgen(['status']);
    expect(status.code).toBe(1);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toMatch(/^PUBLISHER\s+STATE\s+POSITION\s+HEAD\s+LAG\s+LAG S\s+OWNER\s+LAST ERROR$/);
    expect(lines[1]).toMatch(
      new RegExp(`^orders_bus\\s+failed\\s+${poison - 1n}\\s+${poison + 1n}\\s+2\\s+.*at ${poison} \\(OrderCreated\\): Publisher orders_bus stopped`),
    );
    expect(status.stdout).toMatch(new RegExp(`orders_bus → nats stream ${stream} \\(${prefix}\\.>\\); events: OrderCreated, OrderPaid, OrderShipped, OrderCancelled`));
    const json = JSON.parse((await esgen(['status', '--format', 'json'])).stdout) as { name: string; state: string; lastError: { position: string } }[];
    expect(json[0]).toMatchObject({ name: 'orders_bus', state: 'failed', lastError: { position: String(poison) } });

    expect((await esgen(['skip', 'orders_bus', '--position', String(poison + 1n)])).stderr).toMatch(
      /ESG233 Publisher orders_bus is not stopped on the event at position/,
    );
    const skipped = await esgen(['skip', 'orders_bus', '--position', String(poison)]);
    expect(skipped.stdout).toMatch(new RegExp(`orders_bus skipped OrderCreated at position ${poison}; it will not be published`));
    expect((await esgen(['skip', 'orders_bus'])).code).toBe(1);

    await runPublisher(new RegExp(`now at ${poison + 1n}`));
    const after = await esgen(['status']);
    expect(after.code).toBe(0);
    expect(after.stdout.split('\n')[1]).toMatch(new RegExp(`^orders_bus\\s+running\\s+${poison + 1n}\\s+${poison + 1n}\\s+0\\s`));
    const received = await readStream(nc, stream);
    expect(received.map((message) => message.headers[EVENT_HEADERS.aggregateId])).toEqual(['a-1', 'a-1', 'a-3']);
  }, 180_000);

  it('pause holds the publisher back across restarts; resume lets it carry on', async () => {
    expect((await esgen(['pause', 'orders_bus'])).stdout).toMatch(/orders_bus paused/);
    const [position] = await append('a-4', [created(1)], 0);
    const paused = await runPublisher(undefined, 1500);
    expect(paused).not.toMatch(/events published/);
    expect((await esgen(['status'])).stdout.split('\n')[1]).toMatch(/^orders_bus\s+paused\s/);
    expect((await esgen(['resume', 'orders_bus'])).stdout).toMatch(/orders_bus resumed/);
    await runPublisher(new RegExp(`now at ${position}`));
    expect((await readStream(nc, stream)).map((message) => message.headers[EVENT_HEADERS.aggregateId])).toEqual(['a-1', 'a-1', 'a-3', 'a-4']);
  }, 120_000);

  it('refuses unknown publishers with a clear message', async () => {
    const unknown = await esgen(['pause', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ESG232 There is no publisher named nope in this database \(known: orders_bus\)/);
    const child = await run(process.execPath, [bin, 'publish', 'run', 'nope', '--registry', registryModule, ...target()], { cwd: dir, env: env() }).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect((child as { stderr: string }).stderr).toMatch(/no publisher named nope in the config \(configured: orders_bus\)/);
  });
});
