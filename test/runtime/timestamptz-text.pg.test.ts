/**
 * esgen reads timestamptz with its own parser on both clients (runtime/timestamptz-text.ts): a
 * digit-by-digit path for the common form, a general one for the rest. For instants drawn across
 * PostgreSQL's range and time zones with odd offsets, the database's own text must parse to the
 * instant the database computes (its exact epoch, truncated to milliseconds), and to what
 * node-postgres's parser makes of the same text.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../../runtime/timestamptz-text.js';
import { createRandom } from '../property/seeded-random.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

const nodePostgresParser = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number;

// UTC; half-hour and 45-minute offsets; zones whose early instants carry local mean time with
// seconds (Amsterdam +00:19:32); a negative half-hour offset.
const zones = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Amsterdam', 'America/St_Johns', 'America/Los_Angeles'];

const MICROSECONDS_PER_YEAR = 365.25 * 86_400e6;
const YEAR_2000 = 946_684_800e6;

/** Microseconds from the epoch: mostly recent times, some in years 1–999, some far out or BC. */
function drawInstants(seed: number, count: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const span = random.weighted<[number, number]>([
      [16, [-100, 100]],
      [2, [-1999, -1000]],
      [1, [-6700, -2000]],
      [1, [8000, 100_000]],
    ]);
    const years = span[0] + random.next() * (span[1] - span[0]);
    // Whole seconds, milliseconds or microseconds: PostgreSQL prints 0 to 6 fractional digits.
    const unit = random.pick([1e6, 1e3, 1]);
    return Math.round((YEAR_2000 + years * MICROSECONDS_PER_YEAR) / unit) * unit;
  });
}

describe('timestamptz as esgen reads it', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.dispose());

  it.each(zones.map((zone, index) => [zone, 1000 + index] as const))('parses what PostgreSQL prints in %s (seed %i)', async (zone, seed) => {
    const { rows } = await database.client.transaction(async (tx) => {
      await tx.query(`SET LOCAL TIME ZONE '${zone}'`);
      return tx.query<{ text: string; at: Date; ms: string }>(
        `SELECT t::text AS text, t AS at, floor(extract(epoch FROM t) * 1000)::text AS ms
         FROM (SELECT timestamptz 'epoch' + x * interval '1 microsecond' AS t FROM unnest($1::float8[]) AS x) AS instants`,
        [drawInstants(seed, 500)],
      );
    });
    const wrong = rows.filter((row) => {
      const expected = Number(row.ms);
      return (parseTimestamptz(row.text) as Date).getTime() !== expected || row.at.getTime() !== expected || (nodePostgresParser(row.text) as Date).getTime() !== expected;
    });
    expect(wrong).toEqual([]);
    // The draw reaches both parsers' paths: BC years, years of five digits, offsets with seconds.
    const texts = rows.map((row) => row.text).join('\n');
    expect(texts).toMatch(/ BC$/m);
    expect(texts).toMatch(/^\d{5}-/m);
    if (zone === 'Europe/Amsterdam') expect(texts).toMatch(/[+-]\d\d:\d\d:\d\d$/m);
    if (zone === 'Asia/Kathmandu') expect(texts).toMatch(/\+05:45$/m);
  });

  it('keeps infinity as a number, as node-postgres does', async () => {
    const { rows } = await database.client.query<{ future: unknown; past: unknown }>(`SELECT 'infinity'::timestamptz AS future, '-infinity'::timestamptz AS past`);
    expect(rows).toEqual([{ future: Infinity, past: -Infinity }]);
  });
});
