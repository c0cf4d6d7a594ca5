/**
 * The hotel-booking example's personal data: the guest's name, email and phone are `pii`
 * (domain/booking.esgen.yaml), sealed under the booking's key, and forgotten on request.
 * Runs on embedded PGlite (in memory) unless DATABASE_URL points at a server.
 *
 *   npm run example:hotel     # esgen build on this folder, then this script
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createEventSourcing, createPgClient, isEsgenError } from 'esgen/runtime';
import { resolveSchema } from 'esgen/runtime/admin';
import { Booking } from './src/domain/booking.js';
import { bookingDetailsReadModel, registry } from './src/generated/index.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
const schema = process.env.ESGEN_EXAMPLE_SCHEMA ?? 'esgen_hotel_example';
if (databaseUrl) {
  const client = await createPgClient({ connectionString: databaseUrl });
  await client.query(`DROP SCHEMA IF EXISTS ${resolveSchema(schema).quoted} CASCADE`);
  await client.close();
}
// In production: `personalData: { masterKey: 'ESGEN_MASTER_KEY' }` (an environment variable) or a KMS provider.
const masterKey = randomBytes(32);
const es = await createEventSourcing({ registry, ...(databaseUrl ? { databaseUrl, schema } : {}), personalData: { masterKey: () => masterKey } });
const bookings = es.repository(Booking);
const say = (line: string) => console.log(line);
const events = databaseUrl ? `${resolveSchema(schema).quoted}.events` : 'events';

try {
  const id = randomUUID();
  const booking = bookings.create(id);
  booking.request({ roomId: '101', guest: { name: 'Ada Lovelace', email: 'ada@example.org' }, stay: { checkIn: '2026-06-01', checkOut: '2026-06-04' }, pricePerNight: 120 });
  await bookings.save(booking);
  // The read models are asynchronous: a worker brings them up to date.
  const worker = es.readModelManager();
  await worker.start();
  await worker.waitForCatchUp();
  await worker.stop();

  const stored = await es.client.query<{ guest: unknown }>(`SELECT event_data->'guest' AS guest FROM ${events} WHERE aggregate_id = $1`, [id]);
  say(`stored guest:        ${JSON.stringify(stored.rows[0]!.guest).slice(0, 90)}…`);
  say(`loaded guest:        ${JSON.stringify((await bookings.load(id)).state.guest)}`);
  say(`read model email:    ${(await es.readModel(bookingDetailsReadModel).get(id))?.guestEmail}`);
  say(`export:              ${JSON.stringify((await es.exportSubject(id)).events[0]!.personal)}`);

  const report = await es.forget(id);
  say(`\nforgot ${id}: rebuilt ${report.readModels.join(', ')}`);
  say(`loaded guest:        ${JSON.stringify((await bookings.load(id)).state.guest)}`);
  say(`read model email:    ${JSON.stringify((await es.readModel(bookingDetailsReadModel).get(id))?.guestEmail)}`);
  const refused = await es.store
    .appendToStream('Booking', id, [{ type: 'BookingRequested', data: { roomId: '102', guest: { name: 'Ada', email: 'ada@example.org' }, stay: { checkIn: '2026-07-01', checkOut: '2026-07-02' }, nights: 1, priceQuoted: 120 } }], { expectedVersion: 'any' })
    .catch((error: unknown) => error);
  say(`new personal data:   ${isEsgenError(refused) ? `${refused.code} ${refused.name}` : 'accepted?!'} (nothing written: still version ${await es.store.streamVersion('Booking', id)})`);
} finally {
  await es.close();
}
