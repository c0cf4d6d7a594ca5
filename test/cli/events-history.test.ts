/**
 * `esgen events Order <id>` (history, `--at`, `--version`, `--json`) and `esgen events tail`, run
 * as the real binary against the orders example's generated code and its own Order class, on
 * PGlite (a data folder) and on the server (a schema of its own).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSourcing, createPgClient } from '../../runtime/index.js';
import { Order } from '../../examples/orders/src/domain/order.js';
import { registry } from '../../examples/orders/src/generated/index.js';
import { onServer, serverUrl } from '../support/database.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const example = join(root, 'examples/orders');
const correlationId = '0d9c3e52-8f7e-4a55-9c43-6f1f2b6a7e01';

describe('esgen events', () => {
  let dir: string;
  const schema = `events_cli_${process.pid}_${Date.now() % 100000}`;
  const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
  const openEs = () => createEventSourcing({ registry, ...(onServer ? { databaseUrl: serverUrl!, schema } : { dataDir: join(dir, 'pgdata') }) });
  let afterPayment: Date;
  let beforeFirst: Date;

  async function esgen(args: string[]) {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1' } as NodeJS.ProcessEnv;
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'events', ...args, ...target()], { cwd: example, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** The example's scenario: order-1 placed, paid, then (after a pause) shipped. */
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-events-'));
    const es = await openEs();
    try {
      const orders = es.repository(Order);
      beforeFirst = new Date(Date.now() - 1000);
      const order = orders.create('order-1');
      order.place({ userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }] });
      await orders.save(order, { correlationId });
      const paid = await orders.load('order-1');
      paid.pay('pay-77', 25);
      await orders.save(paid);
      await sleep(30);
      afterPayment = new Date();
      await sleep(30);
      const shipped = await orders.load('order-1');
      shipped.ship('TRACK-123');
      await orders.save(shipped);
    } finally {
      await es.close();
    }
  });
  afterAll(async () => {
    if (onServer) {
      const client = await createPgClient({ connectionString: serverUrl! });
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the history as a table: version, type, time, time since the previous event, correlation id, payload', async () => {
    const result = await esgen(['Order', 'order-1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Order order-1: 3 events, version 3, over \d+ ms$/);
    expect(lines[2]).toMatch(/^version\s+type\s+occurred at\s+since previous\s+correlation id\s+payload$/);
    expect(lines[3]).toMatch(new RegExp(`^\\s+1  OrderCreated v2\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+${correlationId}  .*userId=alice`));
    expect(lines[3]).toContain('items=[1 item]');
    expect(lines[4]).toMatch(/^\s+2  OrderPaid\s+\S+Z\s+\+\d+ ms\s+.*paymentId=pay-77/);
    expect(lines[5]).toMatch(/^\s+3  OrderShipped\s+\S+Z\s+\+\d+ ms\s+.*trackingNumber=TRACK-123$/);
    expect(lines).toHaveLength(6);
  });

  it('prints the history as JSON with --json', async () => {
    const result = await esgen(['Order', 'order-1', '--json']);
    expect(result.code).toBe(0);
    const events = JSON.parse(result.stdout) as { type: string; version: number; correlationId: string | null; data: Record<string, unknown>; position: string }[];
    expect(events.map((event) => [event.version, event.type])).toEqual([[1, 'OrderCreated'], [2, 'OrderPaid'], [3, 'OrderShipped']]);
    expect(events[0]!.correlationId).toBe(correlationId);
    expect(events[1]!.data).toEqual({ paymentId: 'pay-77', paidAmount: 25 });
    expect(events[2]!.position).toMatch(/^\d+$/);
  });

  it('prints the state as of a time with --at, replayed by the project’s own Order class', async () => {
    const result = await esgen(['Order', 'order-1', '--at', afterPayment.toISOString(), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const then = JSON.parse(result.stdout) as { version: number; at: string; state: { status: string; trackingNumber?: string; totalAmount: number } };
    expect(then.version).toBe(2);
    expect(then.at).toBe(afterPayment.toISOString());
    expect(then.state.status).toBe('paid');
    expect(then.state.trackingNumber).toBeUndefined();

    const text = await esgen(['Order', 'order-1', '--at', afterPayment.toISOString()]);
    expect(text.stdout.split('\n')[0]).toBe(`Order order-1 at ${afterPayment.toISOString()} (version 2)`);
    expect(text.stdout).toContain('"status": "paid"');
  });

  it('prints the state at a version with --version (the stream version, not esgen’s)', async () => {
    const first = await esgen(['Order', 'order-1', '--version', '1', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ version: 1, state: { status: 'pending', userId: 'alice', totalAmount: 25 } });
    const last = await esgen(['Order', 'order-1', '--version', '3', '--json']);
    expect(JSON.parse(last.stdout)).toMatchObject({ version: 3, state: { status: 'shipped', trackingNumber: 'TRACK-123' } });
  });

  it('exits 1 with a one-line reason: before the first event, unknown aggregate, unknown id, bad arguments', async () => {
    const early = await esgen(['Order', 'order-1', '--at', beforeFirst.toISOString()]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/^esgen: ESG203 Order order-1 was not found at .*Z\.\n$/);
    const typo = await esgen(['Ordr', 'order-1']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe('esgen: unknown aggregate type "Ordr" (did you mean Order?); the registry has Customer, Order\n');
    const missing = await esgen(['Order', 'order-404']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^esgen: no events for Order "order-404" on /);
    const both = await esgen(['Order', 'order-1', '--at', afterPayment.toISOString(), '--version', '2']);
    expect(both.stderr).toBe('esgen: give --at or --version, not both\n');
    const badTime = await esgen(['Order', 'order-1', '--at', 'yesterday']);
    expect(badTime.stderr).toMatch(/^esgen: --at must be an ISO 8601 time/);
    for (const result of [both, badTime]) expect(result.code).toBe(1);
  });

  it('tail --from start prints stored events of the chosen types, then follows new ones as they commit', async () => {
    const child = spawn(process.execPath, [bin, 'events', 'tail', '--from', 'start', '--type', 'OrderPaid', 'OrderShipped', '--json', ...target()], {
      cwd: example,
      env: { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => stdout.split('\n').filter(Boolean).length >= 2 || child.exitCode !== null, 30_000);
      const stored = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; aggregateId: string });
      expect(stored.map((event) => event.type)).toEqual(['OrderPaid', 'OrderShipped']);
      expect(stderr).toContain('following events on');

      if (onServer) {
        // A PGlite folder is opened by one process at a time; a server takes writers while tail follows.
        const es = await openEs();
        try {
          const orders = es.repository(Order);
          const order = orders.create('order-2');
          order.place({ userId: 'bob', currency: 'EUR', items: [{ sku: 'pen', quantity: 1, unitPrice: 2 }] });
          order.pay('pay-88', 2);
          await orders.save(order);
        } finally {
          await es.close();
        }
        await until(() => stdout.split('\n').filter(Boolean).length >= 3, 30_000);
        const followed = JSON.parse(stdout.split('\n').filter(Boolean)[2]!) as { type: string; aggregateId: string };
        expect(followed).toMatchObject({ type: 'OrderPaid', aggregateId: 'order-2' });
      }
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(25);
  }
}
