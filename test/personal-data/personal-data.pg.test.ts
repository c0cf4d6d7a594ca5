/**
 * Personal data end to end (docs/personal-data.md): `pii` values sealed per subject at append,
 * opened on every read path, and after `forget` redacted everywhere with no plaintext left in
 * the database. Runs on PGlite, and on the server when DATABASE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSourcing, type EventSourcing } from '../../runtime/event-sourcing.js';
import type { EventEnvelope } from '../../runtime/contracts.js';
import { isEsgenError } from '../../runtime/errors.js';
import { createEventStore } from '../../runtime/store/event-store.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { testMasterKey, testPersonalData, testVault } from '../support/personal-data.js';
import { customerAggregate, peopleRegistry, plainPeopleRegistry, type CustomerRegistered, type OrderPlaced } from './fixtures/people-registry.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { feedStatements } from '../../runtime/projections/event-feed.js';
import { projectionTables } from '../../runtime/projections/projection-tables.js';
import { ORIGIN } from '../../runtime/projections/checkpoint.js';
import { readRawFeedPage } from '../../runtime/publish/publisher-feed.js';

const ada = (id: string): CustomerRegistered => ({
  name: `Ada Lovelace ${id}`,
  email: `ada-${id}@example.org`,
  tier: 'gold',
  address: { street: `12 Analytical St ${id}`, city: 'London' },
  phones: [
    { kind: 'home', number: `+44 1111 ${id}` },
    { kind: 'work', number: `+44 2222 ${id}` },
  ],
  nickname: `Countess ${id}`,
});

const order = (customerId: string): OrderPlaced => ({
  customerId,
  shippingName: `Ada Shipping ${customerId}`,
  total: 42.5,
  contacts: { billing: { email: `billing-${customerId}@example.org` }, ops: { email: `ops-${customerId}@example.org` } },
});

/** Every personal string of a customer and their order. */
function secretsOf(id: string): string[] {
  const customer = ada(id);
  const placed = order(id);
  return [customer.name, customer.email, customer.address.street, ...customer.phones.map((p) => p.number), customer.nickname!, placed.shippingName, ...Object.values(placed.contacts).map((c) => c.email)];
}

/** Rows of esgen's tables whose text contains `secret` (whole rows, every column). */
async function plaintextRows(client: SqlClient, schema: string, secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of ['events', 'snapshots', 'projections', 'pii_keys']) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${table} AS t WHERE strpos(t::text, $1) > 0`, [secret]);
    if (rows[0]!.n > 0) found.push(`${table}: ${rows[0]!.n}`);
  }
  return found;
}

const redactedCustomer = { name: '(forgotten)', email: '', tier: 'gold', address: { street: '', city: 'London' }, phones: [{ kind: 'home', number: '' }, { kind: 'work', number: '' }] };

describe('personal data', () => {
  let db: TestDatabase;
  let es: EventSourcing;
  const key = testMasterKey();

  beforeAll(async () => {
    db = await openTestDatabase();
    es = await createEventSourcing({ registry: peopleRegistry, client: db.client, schema: db.schema, personalData: testPersonalData(key) });
  });
  afterAll(async () => {
    await es?.close();
    await db.dispose();
  });

  async function registerWithOrder(): Promise<{ customerId: string; orderId: string }> {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const orderId = `o-${randomUUID().slice(0, 8)}`;
    await es.store.appendToStream('Customer', customerId, [{ type: 'CustomerRegistered', data: ada(customerId) }], { expectedVersion: 'no_stream' });
    await es.store.appendToStream('Order', orderId, [{ type: 'OrderPlaced', data: order(customerId) }, { type: 'OrderShipped', data: {} }], { expectedVersion: 'no_stream' });
    return { customerId, orderId };
  }

  /** The payloads every read path returns for the customer's and the order's events. */
  async function everyReadPath(customerId: string, orderId: string): Promise<Record<string, unknown[]>> {
    const store = es.store;
    const pick = (events: readonly EventEnvelope[]) => events.filter((e) => e.aggregateId === customerId || e.aggregateId === orderId).map((e) => e.data);
    const all: EventEnvelope[] = [];
    for (let checkpoint = null as Awaited<ReturnType<typeof store.readAllAfter>>['last']; ; ) {
      const page = await store.readAllAfter(checkpoint, { limit: 100 });
      all.push(...page.events);
      if (page.events.length === 0) break;
      checkpoint = page.last;
    }
    const customerEvents = await store.getEventsByAggregate('Customer', customerId);
    return {
      byAggregate: [...customerEvents.map((e) => e.data), ...(await store.getEventsByAggregate('Order', orderId)).map((e) => e.data)],
      timeTravel: [...(await store.getEventsByAggregate('Customer', customerId, { until: new Date(Date.now() + 60_000) })).map((e) => e.data), ...(await store.getEventsByAggregate('Order', orderId, { until: new Date(Date.now() + 60_000) })).map((e) => e.data)],
      replay: [...(await store.readStreamForReplay('Customer', customerId)).map((e) => e.data), ...(await store.readStreamForReplay('Order', orderId)).map((e) => e.data)],
      byType: pick(await store.getEventsByType(['CustomerRegistered', 'OrderPlaced', 'OrderShipped'])),
      timeRange: pick(await store.getEventsByTimeRange(new Date(0), new Date(Date.now() + 60_000))),
      readAll: pick(all),
      byId: [(await store.findEvent(customerEvents[0]!.eventId))!.data],
    };
  }

  it('stores no personal value in clear, keeps the rest queryable, and reads back what was appended on every path', async () => {
    const { customerId, orderId } = await registerWithOrder();
    for (const secret of secretsOf(customerId)) expect(await plaintextRows(db.client, db.schema, secret).then((rows) => rows.filter((row) => !row.startsWith('projections')))).toEqual([]);
    const raw = await db.client.query<{ tier: string; email: unknown; city: string; pii_subject: string }>(
      `SELECT event_data->>'tier' AS tier, event_data->'email' AS email, event_data->'address'->>'city' AS city, pii_subject FROM ${db.schema}.events WHERE aggregate_id = $1`,
      [customerId],
    );
    expect(raw.rows[0]).toMatchObject({ tier: 'gold', city: 'London', pii_subject: customerId, email: { $pii: expect.stringMatching(/^v1:[A-Za-z0-9+/=]+$/) } });
    const orderRow = await db.client.query<{ pii_subject: string }>(`SELECT pii_subject FROM ${db.schema}.events WHERE aggregate_id = $1 ORDER BY version`, [orderId]);
    // The order's personal values belong to the customer; OrderShipped has none.
    expect(orderRow.rows.map((row) => row.pii_subject)).toEqual([customerId, null]);

    const expected = [ada(customerId), order(customerId), {}];
    const paths = await everyReadPath(customerId, orderId);
    for (const [path, payloads] of Object.entries(paths)) expect(payloads, path).toEqual(path === 'byId' ? [ada(customerId)] : expected);
  });

  it('reads the same payloads as a store of the same domain without personal data', async () => {
    const plainDb = await openTestDatabase();
    const plain = await createEventSourcing({ registry: plainPeopleRegistry, client: plainDb.client, schema: plainDb.schema });
    try {
      const id = `c-${randomUUID().slice(0, 8)}`;
      for (const target of [es, plain]) {
        await target.store.appendToStream('Customer', id, [{ type: 'CustomerRegistered', data: ada(id) }, { type: 'CustomerTierChanged', data: { tier: 'silver' } }], { expectedVersion: 'no_stream' });
      }
      const strip = (events: readonly EventEnvelope[]) => events.map(({ type, data, version, storedVersion }) => ({ type, data, version, storedVersion }));
      expect(strip(await es.store.getEventsByAggregate('Customer', id))).toEqual(strip(await plain.store.getEventsByAggregate('Customer', id)));
      // The plain store holds the values in clear: what the sealed store avoids.
      expect(await plaintextRows(plainDb.client, plainDb.schema, ada(id).email)).toContain('events: 1');
    } finally {
      await plain.close();
      await plainDb.dispose();
    }
  });

  it('forgets a subject: every read path returns the typed redacted values, read models are rebuilt, no plaintext remains', async () => {
    const { customerId, orderId } = await registerWithOrder();
    const other = await registerWithOrder();
    const manager = es.readModelManager();
    await manager.start();
    try {
      await manager.waitForCatchUp();
    } finally {
      await manager.stop();
    }
    // Copies in clear before forgetting: the read models hold them (that is what the rebuild fixes).
    expect(await plaintextRows(db.client, db.schema, ada(customerId).email)).toEqual(['projections: 1']);
    // A snapshot written before the aggregate had personal data declared.
    await db.client.query(`INSERT INTO ${db.schema}.snapshots (aggregate_type, aggregate_id, version, state, state_fingerprint) VALUES ('Customer', $1, 1, $2, 'customer-v1')`, [
      customerId,
      JSON.stringify({ name: ada(customerId).name }),
    ]);

    const report = await es.forget(customerId);
    expect(report).toMatchObject({ subjectId: customerId, hadKey: true, snapshotsDeleted: 1, readModels: ['CustomerDirectory', 'OrderShipping'], rebuilt: true });
    for (const secret of secretsOf(customerId)) expect(await plaintextRows(db.client, db.schema, secret), secret).toEqual([]);

    const redactedOrder = { customerId, shippingName: '', total: 42.5, contacts: { billing: { email: '' }, ops: { email: '' } } };
    const paths = await everyReadPath(customerId, orderId);
    for (const [path, payloads] of Object.entries(paths)) expect(payloads, path).toEqual(path === 'byId' ? [redactedCustomer] : [redactedCustomer, redactedOrder, {}]);
    expect(await es.readModel(peopleRegistry.readModels.CustomerDirectory!).get(customerId)).toMatchObject({ name: '(forgotten)', email: '', tier: 'gold' });
    expect(await es.readModel(peopleRegistry.readModels.OrderShipping!).get(orderId)).toMatchObject({ shippingName: '', customerId });
    // Another subject is untouched.
    expect((await es.store.getEventsByAggregate('Customer', other.customerId))[0]!.data).toEqual(ada(other.customerId));
    expect(await es.readModel(peopleRegistry.readModels.OrderShipping!).get(other.orderId)).toMatchObject({ shippingName: order(other.customerId).shippingName });
    // Forgetting again is harmless.
    expect(await es.forget(customerId, { rebuildReadModels: false })).toMatchObject({ hadKey: false, rebuilt: false });
  });

  it('refuses personal data of a forgotten subject with SubjectForgotten and writes nothing, on its own stream and on another', async () => {
    const { customerId } = await registerWithOrder();
    await es.forget(customerId, { rebuildReadModels: false });
    const fresh = await createEventSourcing({ registry: peopleRegistry, client: db.client, schema: db.schema, migrate: false, personalData: testPersonalData(key) });
    try {
      for (const target of [es, fresh]) {
        const orderId = `o-${randomUUID().slice(0, 8)}`;
        const error = await target.store.appendToStream('Order', orderId, [{ type: 'OrderPlaced', data: order(customerId) }], { expectedVersion: 'no_stream' }).catch((e: unknown) => e);
        expect(isEsgenError(error, 'ESG250')).toBe(true);
        expect(error).toMatchObject({ subjectId: customerId, eventType: 'OrderPlaced' });
        expect(await target.store.streamVersion('Order', orderId)).toBe(0);
      }
      // Events without personal data still append to the forgotten customer's stream.
      await fresh.store.appendToStream('Customer', customerId, [{ type: 'CustomerTierChanged', data: { tier: 'bronze' } }], { expectedVersion: 1 });
      const keys = await db.client.query<{ wrapped: boolean }>(`SELECT wrapped_key IS NOT NULL AS wrapped FROM ${db.schema}.pii_keys WHERE subject_id = $1`, [customerId]);
      expect(keys.rows).toEqual([{ wrapped: false }]);
    } finally {
      await fresh.close();
    }
  });

  it('creates exactly one key when first appends of a new subject race from separate processes', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    // One store per "process": separate key caches, so each has to create or find the key itself.
    const stores = Array.from({ length: 8 }, () => createEventStore({ client: db.client, registry: peopleRegistry, schema: db.schema, personalData: testVault(db.client, db.schema, key) }));
    const orderIds = stores.map(() => `o-${randomUUID().slice(0, 8)}`);
    await Promise.all(stores.map((store, i) => store.appendToStream('Order', orderIds[i]!, [{ type: 'OrderPlaced', data: order(customerId) }], { expectedVersion: 'no_stream' })));
    const keys = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.pii_keys WHERE subject_id = $1`, [customerId]);
    expect(keys.rows[0]!.n).toBe(1);
    // Every event opens with the one key, from a process that has nothing cached.
    const reader = createEventStore({ client: db.client, registry: peopleRegistry, schema: db.schema, personalData: testVault(db.client, db.schema, key) });
    for (const orderId of orderIds) expect((await reader.getEventsByAggregate('Order', orderId))[0]!.data).toEqual(order(customerId));
  });

  it('never leaves a key beside a tombstone when a first append and a forget of the same subject race', async () => {
    for (let round = 0; round < 15; round++) {
      const customerId = `c-race-${round}-${randomUUID().slice(0, 6)}`;
      const orderId = `o-${randomUUID().slice(0, 8)}`;
      // Separate "processes": the appender and the forgetter share no cache.
      const appender = createEventStore({ client: db.client, registry: peopleRegistry, schema: db.schema, personalData: testVault(db.client, db.schema, key) });
      const forgetter = testVault(db.client, db.schema, key);
      const [appended] = await Promise.allSettled([
        appender.appendToStream('Order', orderId, [{ type: 'OrderPlaced', data: order(customerId) }], { expectedVersion: 'no_stream' }),
        forgetter.forget(customerId),
      ]);
      const keys = await db.client.query<{ wrapped: boolean; forgotten: boolean }>(
        `SELECT wrapped_key IS NOT NULL AS wrapped, forgotten_at IS NOT NULL AS forgotten FROM ${db.schema}.pii_keys WHERE subject_id = $1`,
        [customerId],
      );
      expect(keys.rows, `round ${round}`).toEqual([{ wrapped: false, forgotten: true }]);
      if (appended.status === 'rejected') expect(isEsgenError(appended.reason, 'ESG250')).toBe(true);
      else expect((await es.store.getEventsByAggregate('Order', orderId))[0]!.data).toMatchObject({ shippingName: '', contacts: { ops: { email: '' } } });
      expect(await plaintextRows(db.client, db.schema, order(customerId).shippingName)).toEqual([]);
    }
  });

  it('does not cache a key read while the same process forgets the subject', async () => {
    const { customerId } = await registerWithOrder();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    // The key read of a load answers only after the forget committed: a read in flight.
    const slowKeys: SqlClient = new Proxy(db.client, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver);
        return async (sql: string, params?: unknown[], options?: unknown) => {
          const result = await target.query(sql, params as unknown[], options as never);
          if (!held && sql.includes('pii_keys WHERE subject_id = ANY')) {
            held = true;
            await gate;
          }
          return result;
        };
      },
    });
    const vault = testVault(slowKeys, db.schema, key, 60_000);
    const store = createEventStore({ client: db.client, registry: peopleRegistry, schema: db.schema, personalData: vault });
    const inFlight = store.getEventsByAggregate('Customer', customerId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held).toBe(true);
    await vault.forget(customerId);
    release();
    // What was in flight may still show the values; the next read must not.
    await inFlight;
    expect((await store.getEventsByAggregate('Customer', customerId))[0]!.data).toEqual(redactedCustomer);
  });

  it('keeps a personal field renamed by an upcast sealed in storage and redacts it under its new name', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    // A version-1 event, sealed with version 1's paths (as an older build of the spec stored it).
    const vault = testVault(db.client, db.schema, key);
    const definition = { ...customerAggregate.events.CustomerRegistered!, version: 1 };
    const v1 = { fullName: 'Charles Babbage', email: 'charles@example.org', tier: 'silver' };
    const sealed = await vault.seal([{ definition, aggregateId: customerId, data: v1 }]);
    await db.client.query(
      `INSERT INTO ${db.schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at, pii_subject)
       VALUES ($1, 'Customer', $2, 1, 'CustomerRegistered', 1, $3, now(), $4)`,
      [randomUUID(), customerId, JSON.stringify(sealed.data[0]), sealed.subjects[0]],
    );
    expect(await plaintextRows(db.client, db.schema, 'Charles Babbage')).toEqual([]);
    const [loaded] = await es.store.getEventsByAggregate('Customer', customerId);
    expect(loaded).toMatchObject({ storedVersion: 1, data: { name: 'Charles Babbage', email: 'charles@example.org', tier: 'silver' } });
    await es.forget(customerId, { rebuildReadModels: false });
    const [forgotten] = await es.store.getEventsByAggregate('Customer', customerId);
    // fullName's redacted value ('' in version 1), renamed to name by the upcast.
    expect(forgotten!.data).toEqual({ name: '', email: '', tier: 'silver', address: { street: '', city: '' }, phones: [] });
  });

  it('seals a snapshot whole under the aggregate id subject, and writes none for an aggregate holding another subject\'s data', async () => {
    const { customerId, orderId } = await registerWithOrder();
    const state = { name: ada(customerId).name, tier: 'gold' };
    await es.store.writeSnapshot('Customer', customerId, 1, state, 'customer-v1');
    const raw = await db.client.query<{ state: unknown }>(`SELECT state FROM ${db.schema}.snapshots WHERE aggregate_id = $1`, [customerId]);
    expect(raw.rows).toEqual([{ state: { $pii: expect.stringMatching(/^v1:/) } }]);
    // The inline read model holds the name (until a forget rebuilds it); the snapshot does not.
    expect(await plaintextRows(db.client, db.schema, state.name)).toEqual(['projections: 1']);
    expect(await es.store.readSnapshot('Customer', customerId, 'customer-v1')).toEqual({ version: 1, state });
    // The order's events carry the customer's data: its state may too, so it is never snapshotted.
    await es.store.writeSnapshot('Order', orderId, 1, { shippingName: order(customerId).shippingName }, 'order-v1');
    const orders = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.snapshots WHERE aggregate_id = $1`, [orderId]);
    expect(orders.rows[0]!.n).toBe(0);
    await es.forget(customerId, { rebuildReadModels: false });
    // Forgotten: the snapshot was deleted, and a new one is not written (its key is gone).
    await es.store.writeSnapshot('Customer', customerId, 1, state, 'customer-v1');
    expect(await es.store.readSnapshot('Customer', customerId, 'customer-v1')).toBeUndefined();
    const left = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.snapshots WHERE aggregate_id = $1`, [customerId]);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('exports every event of a subject, across streams, with its personal values; after forgetting, the redacted ones', async () => {
    const { customerId, orderId } = await registerWithOrder();
    const exported = await es.exportSubject(customerId);
    expect(exported.forgotten).toBe(false);
    expect(exported.events.map((event) => [event.aggregateType, event.aggregateId, event.type])).toEqual([
      ['Customer', customerId, 'CustomerRegistered'],
      ['Order', orderId, 'OrderPlaced'],
    ]);
    expect(exported.events[0]!.personal).toEqual({
      '/name': ada(customerId).name,
      '/email': ada(customerId).email,
      '/address/street': ada(customerId).address.street,
      '/phones/0/number': ada(customerId).phones[0]!.number,
      '/phones/1/number': ada(customerId).phones[1]!.number,
      '/nickname': ada(customerId).nickname,
    });
    expect(exported.events[1]!.personal).toMatchObject({ '/shippingName': order(customerId).shippingName, '/contacts/ops/email': order(customerId).contacts.ops!.email });
    await es.forget(customerId, { rebuildReadModels: false });
    const after = await es.exportSubject(customerId);
    expect(after.forgotten).toBe(true);
    expect(after.events[0]!.data).toEqual(redactedCustomer);
  });

  it('re-wraps every data key under a new master key without touching events; the old key then fails loudly', async () => {
    const local = await openTestDatabase();
    const oldKey = testMasterKey();
    const newKey = testMasterKey();
    const first = await createEventSourcing({ registry: peopleRegistry, client: local.client, schema: local.schema, personalData: testPersonalData(oldKey) });
    const id = 'c-rotate';
    await first.store.appendToStream('Customer', id, [{ type: 'CustomerRegistered', data: ada(id) }], { expectedVersion: 'no_stream' });
    const eventsBefore = await local.client.query(`SELECT event_data::text AS data FROM ${local.schema}.events`);
    const second = await createEventSourcing({ registry: peopleRegistry, client: local.client, schema: local.schema, personalData: testPersonalData(newKey) });
    try {
      const unwrap = await second.store.getEventsByAggregate('Customer', id).catch((e: unknown) => e);
      expect(isEsgenError(unwrap, 'ESG253')).toBe(true);
      expect(await second.rotateMasterKey(() => oldKey)).toEqual({ rewrapped: 1 });
      expect((await second.store.getEventsByAggregate('Customer', id))[0]!.data).toEqual(ada(id));
      expect((await local.client.query(`SELECT event_data::text AS data FROM ${local.schema}.events`)).rows).toEqual(eventsBefore.rows);
      const stale = await createEventSourcing({ registry: peopleRegistry, client: local.client, schema: local.schema, migrate: false, personalData: testPersonalData(oldKey) });
      expect(isEsgenError(await stale.store.getEventsByAggregate('Customer', id).catch((e: unknown) => e), 'ESG253')).toBe(true);
      await stale.close();
    } finally {
      await first.close();
      await second.close();
      await local.dispose();
    }
  });

  it('refuses to append or read personal data without a master key (PersonalDataNotConfigured)', async () => {
    const { customerId } = await registerWithOrder();
    const bare = createEventStore({ client: db.client, registry: peopleRegistry, schema: db.schema });
    const append = await bare.appendToStream('Customer', `c-${randomUUID().slice(0, 8)}`, [{ type: 'CustomerRegistered', data: ada('x') }], { expectedVersion: 'no_stream' }).catch((e: unknown) => e);
    expect(isEsgenError(append, 'ESG251')).toBe(true);
    const read = await bare.getEventsByAggregate('Customer', customerId).catch((e: unknown) => e);
    expect(isEsgenError(read, 'ESG251')).toBe(true);
    // Events without personal data read as before.
    expect(await bare.getEventsByType('CustomerTierChanged')).toBeInstanceOf(Array);
  });

  it('hands the message bus personal values redacted, whatever the subject\'s state', async () => {
    const { customerId } = await registerWithOrder();
    const feed = feedStatements(projectionTables(db.schema));
    const page = await readRawFeedPage(db.client, feed, ORIGIN, 100_000, ['CustomerRegistered'], peopleRegistry);
    const published = page.events.find((event) => event.aggregateId === customerId)!;
    expect(JSON.parse(published.payload)).toEqual(redactedCustomer);
    expect(published.payload).not.toContain('$pii');
  });

  it('refuses a bulk import of events with personal values (COPY would store them in clear)', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    const error = await es.store.appendBulk([{ aggregateType: 'Customer', aggregateId: id, type: 'CustomerRegistered', data: ada(id) }]).catch((e: unknown) => e);
    expect(isEsgenError(error, 'ESG211')).toBe(true);
    expect(String((error as { issues?: { message: string }[] }).issues?.[0]?.message)).toContain('personal data');
    expect(await es.store.streamVersion('Customer', id)).toBe(0);
  });

  it('reloads a hot stream from the memo as new payloads every time, and redacts it at once after a forget', async () => {
    const { customerId, orderId } = await registerWithOrder();
    const first = await es.store.readStreamForReplay('Order', orderId);
    const placed = first[0]!.data as OrderPlaced;
    placed.shippingName = 'changed by the caller';
    placed.contacts.billing!.email = 'changed too';
    for (let load = 0; load < 3; load++) {
      const again = await es.store.readStreamForReplay('Order', orderId);
      expect(again.map((event) => event.data)).toEqual([order(customerId), {}]);
      expect(again[0]!.data).not.toBe(first[0]!.data);
    }
    expect((await es.store.readStreamForReplay('Customer', customerId))[0]!.data).toEqual(ada(customerId));
    await es.forget(customerId, { rebuildReadModels: false });
    expect((await es.store.readStreamForReplay('Customer', customerId))[0]!.data).toEqual(redactedCustomer);
    const redactedOrder = (await es.store.readStreamForReplay('Order', orderId))[0]!.data;
    expect(redactedOrder).toEqual((await es.store.getEventsByAggregate('Order', orderId))[0]!.data);
    expect(JSON.stringify(redactedOrder)).not.toContain(customerId.slice(2) + '@');
  });

  it('refuses an altered ciphertext with PersonalDataCorrupt instead of reading it as forgotten', async () => {
    const { customerId } = await registerWithOrder();
    // Loaded once: the memo holds the intact payload, and must not answer for the altered one.
    await es.store.readStreamForReplay('Customer', customerId);
    const raw = await db.client.query<{ email: { $pii: string } }>(`SELECT event_data->'email' AS email FROM ${db.schema}.events WHERE aggregate_id = $1`, [customerId]);
    const text = raw.rows[0]!.email.$pii;
    const flipped = text.slice(0, 10) + (text[10] === 'A' ? 'B' : 'A') + text.slice(11);
    await db.client.query(`UPDATE ${db.schema}.events SET event_data = jsonb_set(event_data, '{email}', $2::jsonb) WHERE aggregate_id = $1`, [customerId, JSON.stringify({ $pii: flipped })]);
    for (const read of [() => es.store.getEventsByAggregate('Customer', customerId), () => es.store.readStreamForReplay('Customer', customerId)]) {
      const error = await read().catch((e: unknown) => e);
      expect(isEsgenError(error, 'ESG254')).toBe(true);
      expect(error).toMatchObject({ subjectId: customerId });
    }
  });
});
