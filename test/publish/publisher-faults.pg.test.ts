/**
 * Fault injection: the publisher process killed (SIGKILL) again and again while writers run, and
 * the broker itself restarted mid-run. Either way the stream must end up holding every committed
 * event exactly once, in order per aggregate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { createNatsPublisher, EVENT_HEADERS } from '../../runtime/index.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';
import {
  committedEvents,
  deleteStream,
  natsConnection,
  NATS_URL,
  prepareStore,
  readStream,
  registry,
  runWriters,
  toReceived,
  uniqueStream,
  type ReceivedMessage,
} from './bus-test-kit.js';

const child = fileURLToPath(new URL('./fixtures/publisher-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

function expectExactlyOnceInOrder(received: readonly ReceivedMessage[], stored: readonly { event_id: string }[]): void {
  const ids = received.map((message) => message.headers[EVENT_HEADERS.eventId]!);
  expect(received.length).toBe(stored.length);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(stored.map((row) => row.event_id)));
  const last = new Map<string, number>();
  for (const message of received) {
    const aggregate = message.headers[EVENT_HEADERS.aggregateId]!;
    const version = Number(message.headers[EVENT_HEADERS.aggregateVersion]);
    expect(version).toBe((last.get(aggregate) ?? 0) + 1);
    last.set(aggregate, version);
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!onServer)('publisher process killed repeatedly (server)', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  const { stream, prefix } = uniqueStream();

  beforeAll(async () => {
    db = await openTestDatabase();
    await prepareStore(db.client, db.schema);
    nc = await natsConnection();
  });
  afterAll(async () => {
    await deleteStream(nc, stream);
    await nc.close();
    await db.dispose();
  });

  it('SIGKILLed mid-batch 6 times while writers run: the stream holds every event once, and a live consumer saw none twice', async () => {
    const start = () => {
      const process_ = spawn(process.execPath, ['--import', 'tsx', child, db.databaseUrl!, db.schema, stream, prefix, NATS_URL], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      process_.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      process_.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return { process: process_, output: () => output };
    };
    let duplicates = 0;
    let kills = 0;
    // The writers go on until the last kill: on a fast machine they would otherwise finish early,
    // and a publisher that finds nothing left to publish would never be killed mid-batch.
    const writing = runWriters(db.client, db.schema, {
      writers: 4,
      appends: 120,
      seed: 11,
      keepWriting: () => kills < 6,
    });
    let live: ReceivedMessage[] = [];
    let consuming: Promise<void> | undefined;
    for (let round = 0; round < 6; round++) {
      const running = start();
      // Kill it while it publishes: after it sent at least one batch in this life.
      await until(async () => /"events":/.test(running.output()), 30_000, `publisher ${round} to publish`);
      if (consuming === undefined) {
        // A consumer reading live from the stream (it exists once the first publisher prepared it).
        const consumer = await jetstream(nc).consumers.get(stream);
        const messages = await consumer.consume();
        consuming = (async () => {
          for await (const message of messages) live.push(toReceived(message));
        })();
        live = [];
        afterAll(() => messages.stop());
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 300));
      running.process.kill('SIGKILL');
      await new Promise((resolve) => running.process.once('exit', resolve));
      kills++;
      duplicates += [...running.output().matchAll(/"duplicates":(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    }
    const written = await writing;
    const last = start();
    const stored = await committedEvents(db.client, db.schema);
    expect(stored.length).toBe(written.committed);
    await until(async () => live.length >= stored.length, 60_000, `the consumer to receive ${stored.length} events`);
    last.process.kill('SIGTERM');
    await new Promise((resolve) => last.process.once('exit', resolve));
    duplicates += [...last.output().matchAll(/"duplicates":(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(kills).toBe(6);
    expectExactlyOnceInOrder(await readStream(nc, stream), stored);
    expectExactlyOnceInOrder(live, stored);
    console.log(`crash test: ${kills} SIGKILLs, ${stored.length} events, ${duplicates} re-sent messages dropped by the duplicate window`);
  });
});

describe('broker restarted mid-run', () => {
  let db: TestDatabase;
  let broker: ChildProcess | undefined;
  const storeDir = mkdtempSync(join(tmpdir(), 'esgen-nats-'));
  const port = 14222 + Math.floor(Math.random() * 2000);
  const servers = `127.0.0.1:${port}`;

  function startBroker(): void {
    const binary = spawnSync('sh', ['-c', 'command -v nats-server'], {
      encoding: 'utf8',
    }).stdout.trim();
    broker = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  }
  async function stopBroker(): Promise<void> {
    const running = broker;
    broker = undefined;
    if (running === undefined || running.exitCode !== null) return;
    running.kill('SIGKILL');
    await new Promise((resolve) => running.once('exit', resolve));
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    await prepareStore(db.client, db.schema);
    startBroker();
  });
  afterAll(async () => {
    await stopBroker();
    rmSync(storeDir, { recursive: true, force: true });
    await db.dispose();
  });

  it('retries with backoff while the broker is down and catches up after it is back, losing nothing', async () => {
    const errors: string[] = [];
    const { stream, prefix } = uniqueStream();
    const publisher = createNatsPublisher(
      { client: db.client, registry, schema: db.schema },
      {
        name: 'restart_bus',
        servers,
        subjectPrefix: prefix,
        stream: { name: stream, duplicateWindowSeconds: 600 },
        batchSize: 10,
        pollIntervalMs: 50,
        ackTimeoutMs: 1000,
        maxBackoffMs: 500,
        onError: (error) => errors.push(String(error)),
      },
    );
    await publisher.start();
    // Before, during and after the outage: writers run while the broker is down, so the publisher
    // has batches it cannot get acknowledged until the broker is back.
    const before = await runWriters(db.client, db.schema, {
      writers: 2,
      appends: 20,
      seed: 4,
    });
    await publisher.waitForCatchUp({ timeoutMs: 30_000 });
    await stopBroker();
    const during = await runWriters(db.client, db.schema, {
      writers: 3,
      appends: 40,
      seed: 5,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    startBroker();
    const after = await runWriters(db.client, db.schema, {
      writers: 2,
      appends: 20,
      seed: 6,
    });
    const written = {
      committed: before.committed + during.committed + after.committed,
    };
    await publisher.waitForCatchUp({ timeoutMs: 60_000 });
    await publisher.stop();
    expect(errors.length).toBeGreaterThan(0); // it did notice the outage
    const nc = await natsConnection(servers);
    try {
      const stored = await committedEvents(db.client, db.schema);
      expect(stored.length).toBe(written.committed);
      expectExactlyOnceInOrder(await readStream(nc, stream), stored);
    } finally {
      await nc.close();
    }
  });
});
