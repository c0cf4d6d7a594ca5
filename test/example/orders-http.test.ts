/**
 * The orders example as a service: `examples/orders/server.ts` started as a child process (on
 * PGlite, or on the server in a schema of its own) and driven over HTTP like a client would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient } from '../../runtime/index.js';
import { onServer, serverUrl } from '../support/database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema = `orders_http_${process.pid}_${Date.now() % 100000}`;

describe('the orders example API', () => {
  let server: ChildProcess;
  let api: string;

  beforeAll(async () => {
    server = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples/orders/server.ts')], {
      cwd: root,
      env: { ...process.env, PORT: '0', DATABASE_URL: serverUrl ?? '', ORDERS_SCHEMA: schema },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    api = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start: ${output}`)), 50_000);
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /orders API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server.on('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
    });
  });
  afterAll(async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    if (onServer) {
      const client = await createPgClient({ connectionString: serverUrl! });
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.close();
    }
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as any };
  }

  const correlationId = '5d0b1f63-3c7a-4d52-8c1e-0a6b7f1e2d34';
  let placed: { version: number; position: string; eventId: string };
  let paid: { eventId: string };
  let afterPayment: string;
  let lastPosition: string;

  it('takes commands: place, pay, ship; cancel another; answers with version and position', async () => {
    const created = await call('POST', '/orders', { id: 'order-1', userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }] }, { 'x-user': 'alice', 'x-correlation-id': correlationId });
    expect(created.status).toBe(201);
    placed = created.body;
    expect(placed).toMatchObject({ id: 'order-1', version: 1 });
    expect(placed.position).toMatch(/^\d+$/);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const payment = await call('POST', '/orders/order-1/pay', { paymentId: 'pay-77', amount: 25, causationId: placed.eventId }, { 'x-user': 'payments', 'x-correlation-id': correlationId });
    expect(payment).toMatchObject({ status: 200, body: { version: 2 } });
    paid = payment.body;
    afterPayment = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await call('POST', '/orders/order-1/ship', { trackingNumber: 'TRACK-1', reason: 'packed' }, { 'x-user': 'warehouse' })).status).toBe(200);
    expect((await call('POST', '/orders', { id: 'order-2', userId: 'bob', currency: 'EUR', items: [{ sku: 'pen', quantity: 3, unitPrice: 2 }] })).status).toBe(201);
    const cancelled = await call('POST', '/orders/order-2/cancel', { reason: 'changed my mind' }, { 'x-user': 'bob' });
    expect(cancelled).toMatchObject({ status: 200, body: { version: 2 } });
    lastPosition = cancelled.body.position;
  });

  it('refuses what the rules refuse (422), unknown orders (404), bad input (400); nothing is written by a refused command', async () => {
    expect(await call('POST', '/orders/order-2/pay', { paymentId: 'p', amount: 6 })).toMatchObject({ status: 422, body: { error: 'order order-2 is cancelled, not pending' } });
    expect(await call('POST', '/orders/order-1/cancel', { reason: 'too late' })).toMatchObject({ status: 422 });
    expect(await call('POST', '/orders/order-9/pay', { paymentId: 'p', amount: 1 })).toMatchObject({ status: 404, body: { code: 'ESG203' } });
    expect(await call('POST', '/orders', { userId: 'x', currency: 'EUR', items: 'many' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/orders', { userId: 'x', currency: 'EUR', items: [{ sku: 'cup', quantity: 1.5, unitPrice: 3 }] })).toMatchObject({ status: 400, body: { code: 'ESG202' } });
    expect(await call('POST', '/orders/order-1/ship', { trackingNumber: 'T' }, { 'x-correlation-id': 'nope' })).toMatchObject({ status: 400 });
    expect((await call('GET', '/orders/order-1')).body.version).toBe(3);
  });

  it('shows an order now and as it was at an earlier time', async () => {
    expect((await call('GET', '/orders/order-1')).body).toMatchObject({ id: 'order-1', version: 3, status: 'shipped', trackingNumber: 'TRACK-1' });
    const then = await call('GET', `/orders/order-1?at=${encodeURIComponent(afterPayment)}`);
    expect(then.body).toMatchObject({ version: 2, status: 'paid' });
    expect(then.body.trackingNumber).toBeUndefined();
  });

  it('says how long the order spent in each status, and who changed it and why', async () => {
    const timeline = (await call('GET', '/orders/order-1/timeline')).body as { status: string; durationMs: number | null; enteredBy: string }[];
    expect(timeline.map((span) => [span.status, span.enteredBy])).toEqual([['pending', 'OrderCreated'], ['paid', 'OrderPaid'], ['shipped', 'OrderShipped']]);
    expect(timeline[0]!.durationMs).toBeGreaterThanOrEqual(25);
    expect(timeline[2]!.durationMs).toBeNull();
    const history = (await call('GET', '/orders/order-1/history')).body as { type: string; user: string; reason: string | null; correlationId: string; causationId: string | null }[];
    expect(history.map((event) => [event.type, event.user, event.reason])).toEqual([['OrderCreated', 'alice', null], ['OrderPaid', 'payments', null], ['OrderShipped', 'warehouse', 'packed']]);
    expect(history[0]!.correlationId).toBe(correlationId);
    expect(history[1]!).toMatchObject({ correlationId, causationId: placed.eventId });
    expect(history[2]!.correlationId).not.toBe(correlationId);
    expect(paid.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers queries from the read models, reading its own writes with ?after=', async () => {
    expect((await call('GET', `/orders?status=shipped&after=${lastPosition}`)).body.map((row: { id: string }) => row.id)).toEqual(['order-1']);
    expect((await call('GET', `/orders?status=cancelled&after=${lastPosition}`)).body.map((row: { id: string }) => row.id)).toEqual(['order-2']);
    expect((await call('GET', `/orders?userId=alice&after=${lastPosition}`)).body).toEqual([expect.objectContaining({ id: 'order-1', userId: 'alice', total: 25, status: 'shipped' })]);
    const stats = (await call('GET', `/stats/daily?after=${lastPosition}`)).body as { dailyTotal: number; orderCount: number }[];
    expect(stats.reduce((sum, row) => sum + row.orderCount, 0)).toBe(2);
    expect(stats.reduce((sum, row) => sum + row.dailyTotal, 0)).toBe(31);
    expect(await call('GET', '/orders?status=lost')).toMatchObject({ status: 400 });
  });

  it('joins a customer and their orders in CustomerOrders, a read model across aggregates', async () => {
    // alice ordered before she registered: her row started from the Order side.
    expect((await call('POST', '/customers', { id: 'alice', name: 'Alice', email: 'alice@example.com' })).status).toBe(201);
    const renamed = await call('POST', '/customers/alice/rename', { name: 'Alice B.' });
    expect(renamed.status).toBe(200);
    expect((await call('GET', `/customers/alice/orders?after=${renamed.body.position}`)).body).toEqual({ id: 'alice', name: 'Alice B.', orderCount: 1, totalSpent: 25, lastOrderAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect(await call('POST', '/customers', { id: 'carol', name: '', email: 'nope' })).toMatchObject({ status: 422 });
    expect(await call('GET', `/customers/carol/orders?after=${renamed.body.position}`)).toMatchObject({ status: 404 });
  });
});
