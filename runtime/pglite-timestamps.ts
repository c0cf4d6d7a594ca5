/**
 * Reads `timestamptz` values from PGlite as the instants PostgreSQL stored. PGlite's own parser
 * hands PostgreSQL's text (`0050-03-15 03:30:00.123+00`) to `new Date(text)`, whose non-ISO
 * fallback reads years 0001–0099 as 1900–2099 or as other fields (`0013-01-15` is an invalid
 * date), so an event that occurred in year 50 would load as 1950. node-postgres parses the same
 * text correctly; this parser makes PGlite agree with it.
 */

/** PostgreSQL's type OID of `timestamp with time zone`. */
const TIMESTAMPTZ = 1184;

// DateStyle ISO output: `2024-05-01 12:00:00.123456+02`, offsets with minutes or seconds
// (`+05:30`, `-00:25:21`), `BC` after the value, years of more than four digits.
const timestamptzPattern = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

export function parseTimestamptz(text: string): Date | number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const match = timestamptzPattern.exec(text);
  if (!match) return new Date(text);
  const [, year, month, day, hour, minute, second, fraction, sign, offsetHours, offsetMinutes, offsetSeconds, bc] = match;
  const date = new Date(0);
  // Year 1 BC is year 0 in ISO 8601 (and in JavaScript): there is no year zero in PostgreSQL.
  date.setUTCFullYear(bc ? 1 - Number(year) : Number(year), Number(month) - 1, Number(day));
  // Milliseconds, truncated like node-postgres: a JavaScript Date holds no finer time.
  date.setUTCHours(Number(hour), Number(minute), Number(second), fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0);
  const offset = (Number(offsetHours) * 3600 + Number(offsetMinutes ?? 0) * 60 + Number(offsetSeconds ?? 0)) * (sign === '-' ? -1 : 1);
  return new Date(date.getTime() - offset * 1000);
}

/** Query option for PGlite: its parsers, with ours for timestamptz. */
export const pgliteParsers: Readonly<Record<number, (text: string) => unknown>> = { [TIMESTAMPTZ]: parseTimestamptz };
