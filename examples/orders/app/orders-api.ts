/**
 * The orders example as a small HTTP service (Node's own `http`, no framework): commands change
 * orders through the repository, queries read the read models, and the event history answers the
 * design's questions — what was the status yesterday (`?at=`), how long did it spend in each
 * status (`/timeline`), who changed it and why (`/history`: metadata, correlation and causation).
 *
 *   POST /orders                      { userId, currency, items }        → 201 { id, version, position }
 *   POST /orders/:id/pay              { paymentId, amount }
 *   POST /orders/:id/ship             { trackingNumber }
 *   POST /orders/:id/deliver
 *   POST /orders/:id/cancel           { reason }
 *   GET  /orders/:id[?at=<ISO time>]  the order now, or as it was then
 *   GET  /orders/:id/history          every event with who (X-User), why (reason) and correlation/causation ids
 *   GET  /orders/:id/timeline         each status with when it began and how long it lasted
 *   GET  /orders?status=paid | ?userId=alice   from the OrderList read model
 *   GET  /stats/daily                 from the OrderStats read model
 *   POST /customers                   { id, name, email }                → 201
 *   POST /customers/:id/rename        { name }
 *   GET  /customers/:id/orders        from CustomerOrders: the customer's name and orders (a read
 *                                     model across the Customer and Order aggregates)
 *
 * Read models are asynchronous: a command answers with the global position of its last event; a
 * query with `?after=<position>` waits until the read models have processed it (read your writes).
 * Commands take `X-User` (stored as metadata.user), `X-Correlation-Id` (a UUID, else one is made)
 * and an optional `causationId` (the event that led to this command) in the body.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AggregateNotFound, ConcurrencyError, InvalidEvent, isEsgenError, type EventSourcing, type ReadModelManager } from 'esgen/runtime';
import { Customer } from '../src/domain/customer.js';
import { Order, OrderRuleViolation } from '../src/domain/order.js';
import { customerOrdersReadModel, orderListReadModel, orderStatsReadModel, type OrderItem, type OrderStatus } from '../src/generated/index.js';

/** A refused request: the status and a message for the client. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;
type Handler = (request: { params: string[]; query: URLSearchParams; body: Body; headers: IncomingMessage['headers'] }) => Promise<{ status?: number; body: unknown }>;

const statuses: readonly OrderStatus[] = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];

export function createOrdersApi(es: EventSourcing, worker: ReadModelManager): Server {
  const orders = es.repository(Order);
  const list = es.readModel(orderListReadModel);
  const stats = es.readModel(orderStatsReadModel);
  const customers = es.repository(Customer);
  const customerOrders = es.readModel(customerOrdersReadModel);

  /** A command on a customer: the same bookkeeping as an order's, without metadata. */
  async function customerCommand(id: string, run: (customer: Customer) => void, create = false) {
    const customer = create ? customers.create(id) : await customers.load(id);
    try {
      run(customer);
    } catch (error) {
      throw new HttpProblem(422, (error as Error).message);
    }
    const result = await customers.save(customer);
    return { status: create ? 201 : 200, body: { id, version: customer.version, position: result.envelopes.at(-1)!.position.toString() } };
  }

  /** Loads, runs a business method, saves with who/why; answers with the new version and position. */
  async function command(id: string, headers: IncomingMessage['headers'], body: Body, run: (order: Order) => void, create = false) {
    // The request is checked before the order is touched: a bad header never reaches the rules.
    const user = header(headers, 'x-user');
    const reason = optionalString(body, 'reason');
    const correlationId = uuidHeader(headers) ?? randomUUID();
    const causationId = optionalUuid(body, 'causationId') ?? null;
    const order = create ? orders.create(id) : await orders.load(id);
    run(order);
    const result = await orders.save(order, { correlationId, causationId, metadata: { ...(user ? { user } : {}), ...(reason ? { reason } : {}) } });
    const last = result.envelopes[result.envelopes.length - 1]!;
    return { status: create ? 201 : 200, body: { id, version: order.version, position: last.position.toString(), eventId: last.eventId } };
  }

  /** Waits for the read models to process `?after=<position>` before a query. */
  async function caughtUp(query: URLSearchParams): Promise<void> {
    const after = query.get('after');
    if (after === null) return;
    if (!/^\d+$/.test(after)) throw new HttpProblem(400, '`after` must be a global position returned by a command');
    await worker.waitFor(BigInt(after), { timeoutMs: 10_000 });
  }

  const routes: [method: string, pattern: RegExp, handler: Handler][] = [
    ['POST', /^\/orders$/, async ({ body, headers }) => {
      const id = optionalString(body, 'id') ?? `order-${randomUUID().slice(0, 8)}`;
      const items = body.items as OrderItem[] | undefined;
      if (!Array.isArray(items)) throw new HttpProblem(400, '`items` must be a list of { sku, quantity, unitPrice }');
      return command(id, headers, body, (order) => order.place({ userId: string(body, 'userId'), currency: string(body, 'currency'), items }), true);
    }],
    ['POST', /^\/orders\/([^/]+)\/pay$/, ({ params, body, headers }) => command(params[0]!, headers, body, (order) => order.pay(string(body, 'paymentId'), number(body, 'amount')))],
    ['POST', /^\/orders\/([^/]+)\/ship$/, ({ params, body, headers }) => command(params[0]!, headers, body, (order) => order.ship(string(body, 'trackingNumber')))],
    ['POST', /^\/orders\/([^/]+)\/deliver$/, ({ params, body, headers }) => command(params[0]!, headers, body, (order) => order.deliver())],
    ['POST', /^\/orders\/([^/]+)\/cancel$/, ({ params, body, headers }) => command(params[0]!, headers, body, (order) => order.cancel(string(body, 'reason')))],
    ['GET', /^\/orders\/([^/]+)\/history$/, async ({ params }) => {
      const events = await es.store.getEventsByAggregate('Order', params[0]!);
      if (events.length === 0) throw new AggregateNotFound('Order', params[0]!);
      return {
        body: events.map((event) => ({
          version: event.version,
          type: event.type,
          occurredAt: event.occurredAt.toISOString(),
          user: event.metadata.user ?? null,
          reason: event.metadata.reason ?? null,
          eventId: event.eventId,
          correlationId: event.correlationId,
          causationId: event.causationId,
          data: event.data,
        })),
      };
    }],
    ['GET', /^\/orders\/([^/]+)\/timeline$/, async ({ params }) => ({ body: await timeline(params[0]!) })],
    ['GET', /^\/orders\/([^/]+)$/, async ({ params, query }) => {
      const at = query.get('at');
      const order = at === null ? await orders.load(params[0]!) : await orders.loadAtTime(params[0]!, time(at));
      return { body: { id: order.id, version: order.version, ...order.state } };
    }],
    ['GET', /^\/orders$/, async ({ query }) => {
      await caughtUp(query);
      const status = query.get('status');
      const userId = query.get('userId');
      if (status !== null && !statuses.includes(status as OrderStatus)) throw new HttpProblem(400, `status must be one of ${statuses.join(', ')}`);
      const rows = await list.find({
        where: { ...(status !== null ? { status: status as OrderStatus } : {}), ...(userId !== null ? { userId } : {}) },
        orderBy: [['id', 'asc']],
        limit: 100,
      });
      return { body: rows };
    }],
    ['GET', /^\/stats\/daily$/, async ({ query }) => {
      await caughtUp(query);
      return { body: await stats.find({ orderBy: [['id', 'asc']] }) };
    }],
    ['POST', /^\/customers$/, ({ body }) => customerCommand(string(body, 'id'), (customer) => customer.register(string(body, 'name'), string(body, 'email')), true)],
    ['POST', /^\/customers\/([^/]+)\/rename$/, ({ params, body }) => customerCommand(params[0]!, (customer) => customer.rename(string(body, 'name')))],
    ['GET', /^\/customers\/([^/]+)\/orders$/, async ({ params, query }) => {
      await caughtUp(query);
      const row = await customerOrders.get(params[0]!);
      if (row === undefined) throw new HttpProblem(404, `no customer or order of customer ${params[0]}`);
      return { body: row };
    }],
  ];

  /** How long the order spent in each status: its events replayed one by one through the Order class. */
  async function timeline(id: string) {
    const events = await es.store.getEventsByAggregate('Order', id);
    if (events.length === 0) throw new AggregateNotFound('Order', id);
    const order = new Order(id);
    const spans: { status: OrderStatus; from: string; until: string | null; durationMs: number | null; enteredBy: string }[] = [];
    for (const event of events) {
      order.replay({ type: event.type, data: event.data }, event);
      const current = spans[spans.length - 1];
      if (current?.status === order.state.status) continue;
      if (current) {
        current.until = event.occurredAt.toISOString();
        current.durationMs = event.occurredAt.getTime() - Date.parse(current.from);
      }
      spans.push({ status: order.state.status, from: event.occurredAt.toISOString(), until: null, durationMs: null, enteredBy: event.type });
    }
    return spans;
  }

  return createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      const route = routes.find(([method, pattern]) => method === request.method && pattern.test(url.pathname));
      if (!route) throw new HttpProblem(404, `no route for ${request.method} ${url.pathname}`);
      const params = route[1].exec(url.pathname)!.slice(1).map(decodeURIComponent);
      const body = request.method === 'POST' ? await readJson(request) : {};
      const result = await route[2]({ params, query: url.searchParams, body, headers: request.headers });
      send(response, result.status ?? 200, result.body);
    } catch (error) {
      const [status, message, code] = describe(error);
      send(response, status, { error: message, ...(code ? { code } : {}) });
    }
  }
}

/** Errors → HTTP: rule violations 422, bad payloads 400, conflicts 409, unknown orders 404. */
function describe(error: unknown): [number, string, string?] {
  if (error instanceof HttpProblem) return [error.status, error.message];
  if (error instanceof OrderRuleViolation) return [422, error.message];
  if (error instanceof AggregateNotFound) return [404, error.message, error.code];
  if (error instanceof ConcurrencyError) return [409, error.message, error.code];
  if (error instanceof InvalidEvent) return [400, error.message, error.code];
  if (isEsgenError(error, 'ESG206')) return [400, error.message, error.code];
  console.error(error);
  return [500, 'internal error'];
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

async function readJson(request: IncomingMessage): Promise<Body> {
  let text = '';
  for await (const chunk of request) text += chunk;
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // fall through
  }
  throw new HttpProblem(400, 'the body must be a JSON object');
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function uuidHeader(headers: IncomingMessage['headers']): string | undefined {
  const value = header(headers, 'x-correlation-id');
  if (value !== undefined && !isUuid(value)) throw new HttpProblem(400, 'X-Correlation-Id must be a UUID');
  return value;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function string(body: Body, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new HttpProblem(400, `\`${key}\` must be a non-empty string`);
  return value;
}

function optionalString(body: Body, key: string): string | undefined {
  return body[key] === undefined ? undefined : string(body, key);
}

function optionalUuid(body: Body, key: string): string | undefined {
  const value = optionalString(body, key);
  if (value !== undefined && !isUuid(value)) throw new HttpProblem(400, `\`${key}\` must be a UUID (the id of the event that caused this command)`);
  return value;
}

function number(body: Body, key: string): number {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpProblem(400, `\`${key}\` must be a number`);
  return value;
}

function time(text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new HttpProblem(400, '`at` must be an ISO 8601 time');
  return at;
}
