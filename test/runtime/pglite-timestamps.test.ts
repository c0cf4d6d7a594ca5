/**
 * PGlite returns timestamptz values as the instants PostgreSQL stored, in every year JavaScript
 * and PostgreSQL share and whatever the session time zone (found by the runtime round-trip
 * property: an event that occurred in year 50 loaded back as 1950).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { parseTimestamptz } from '../../runtime/timestamptz-text.js';
import type { SqlClient } from '../../runtime/sql-client.js';

const instants = [
  '0001-01-01T00:00:00.000Z',
  '0013-01-15T05:30:00.500Z',
  '0050-03-15T03:30:00.123Z',
  '0099-12-31T23:59:59.999Z',
  '0100-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '2024-02-29T12:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
];

describe('timestamptz on PGlite', () => {
  let client: SqlClient;
  beforeAll(async () => {
    client = await createPgliteClient();
  });
  afterAll(() => client.close());

  it.each(['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam'])('reads back the instant that was written, in time zone %s', async (zone) => {
    await client.query(`SET TIME ZONE '${zone}'`);
    const { rows } = await client.query<{ at: Date; text: string }>('SELECT at, at::text AS text FROM unnest($1::timestamptz[]) AS at', [instants]);
    expect(rows.map((row) => row.at.toISOString())).toEqual(instants);
    // Outside UTC the text carries offsets such as +05:30 or, before standard time, +00:19:32.
    if (zone !== 'UTC') expect(rows.some((row) => !/\+00$/.test(row.text))).toBe(true);
  });
});

describe('parseTimestamptz', () => {
  it.each([
    ['0001-01-01 00:00:00+00 BC', '0000-01-01T00:00:00.000Z'],
    ['0044-03-15 12:00:00+00 BC', '-000043-03-15T12:00:00.000Z'],
    ['12345-06-07 08:09:10.123456+00', '+012345-06-07T08:09:10.123Z'],
    ['2024-05-01 12:00:00-00:25:21', '2024-05-01T12:25:21.000Z'],
  ])('%s is %s', (text, iso) => {
    expect((parseTimestamptz(text) as Date).toISOString()).toBe(iso);
  });

  it('keeps infinity as PGlite does', () => {
    expect(parseTimestamptz('infinity')).toBe(Infinity);
    expect(parseTimestamptz('-infinity')).toBe(-Infinity);
  });
});
