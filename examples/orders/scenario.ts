/**
 * Drives the orders API over HTTP and answers the design's questions about one order: its status
 * at an earlier time, how long it spent in each status, and who changed it and why.
 *
 *   npm run example:server & npm run example:scenario      # ORDERS_API=http://127.0.0.1:3000 by default
 */
const api = process.env.ORDERS_API ?? 'http://127.0.0.1:3000';
const say = (line: string) => console.log(line);

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const correlation = crypto.randomUUID();
const placed = await call('POST', '/orders', { id: 'order-1', userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }] }, { 'x-user': 'alice', 'x-correlation-id': correlation });
say(`placed   order-1 (version ${placed.version})`);
await sleep(50);
const paid = await call('POST', '/orders/order-1/pay', { paymentId: 'pay-77', amount: 25, causationId: placed.eventId }, { 'x-user': 'payments-service', 'x-correlation-id': correlation });
const afterPayment = new Date().toISOString();
await sleep(50);
await call('POST', '/orders/order-1/ship', { trackingNumber: 'TRACK-123', reason: 'picked and packed', causationId: paid.eventId }, { 'x-user': 'warehouse' });
await call('POST', '/orders', { id: 'order-2', userId: 'bob', currency: 'EUR', items: [{ sku: 'pen', quantity: 3, unitPrice: 2 }] }, { 'x-user': 'bob' });
const cancelled = await call('POST', '/orders/order-2/cancel', { reason: 'changed my mind' }, { 'x-user': 'bob' });

const refused = await fetch(`${api}/orders/order-2/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paymentId: 'p', amount: 6 }) });
say(`paying a cancelled order: ${refused.status} ${((await refused.json()) as { error: string }).error}`);

say(`\norder-1 now:             ${JSON.stringify(await call('GET', '/orders/order-1'))}`);
say(`order-1 at ${afterPayment}: ${JSON.stringify(await call('GET', `/orders/order-1?at=${encodeURIComponent(afterPayment)}`))}`);
say('\norder-1 timeline (how long in each status):');
for (const span of await call('GET', '/orders/order-1/timeline')) say(`  ${span.status.padEnd(9)} from ${span.from}  for ${span.durationMs === null ? '(now)' : `${span.durationMs} ms`}  (${span.enteredBy})`);
say('\norder-1 history (who changed it and why):');
for (const event of await call('GET', '/orders/order-1/history')) {
  say(`  v${event.version} ${event.type.padEnd(13)} by ${String(event.user).padEnd(16)} reason=${event.reason ?? '-'} correlation=${event.correlationId} caused by=${event.causationId ?? '-'}`);
}
// Queries read the asynchronous read models: `after` waits until they have caught up with our last write.
const after = cancelled.position;
say(`\nshipped orders:          ${JSON.stringify((await call('GET', `/orders?status=shipped&after=${after}`)).map((row: { id: string }) => row.id))}`);
say(`alice's orders:          ${JSON.stringify((await call('GET', `/orders?userId=alice&after=${after}`)).map((row: { id: string; status: string }) => `${row.id}:${row.status}`))}`);
say(`daily stats:             ${JSON.stringify(await call('GET', `/stats/daily?after=${after}`))}`);
