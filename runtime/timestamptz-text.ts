/**
 * Reads PostgreSQL's text form of `timestamptz` (DateStyle ISO: `2024-05-01 12:00:00.123456+02`)
 * as the instant it names, on both clients. Every event row carries one (`occurred_at`), so a
 * 1,000-event load parses 1,000 of them: node-postgres's parser (postgres-date, three regular
 * expressions per value) took about 1.4 ms of such a load, this one's fast path about 0.5 ms
 * (docs/performance.md, "Parsing occurred_at").
 *
 * Results are those of node-postgres's parser: milliseconds truncated (a Date holds no finer
 * time), `BC` years, years of more than four digits, years 0001–0099 (which Date.UTC alone would
 * read as 1900–1999), offsets with minutes or seconds (`+05:30`, `-00:25:21`) and ±infinity
 * (returned as numbers).
 */

/** PostgreSQL's type OID of `timestamp with time zone`. */
export const TIMESTAMPTZ_OID = 1184;

// The general form: offsets with minutes or seconds, `BC` after the value, years of more than
// four digits.
const timestamptzPattern = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

export function parseTimestamptz(text: string): Date | number {
  const instant = commonForm(text);
  return instant === undefined ? generalForm(text) : new Date(instant);
}

/**
 * The form PostgreSQL prints for nearly every stored instant (a four-digit year from 0100, an
 * offset of whole hours or hours and minutes): epoch milliseconds, read digit by digit. Anything
 * else is undefined, for the general parser.
 */
function commonForm(text: string): number | undefined {
  const length = text.length;
  if (length < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 100 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let at = 19;
  let milliseconds = 0;
  if (text.charCodeAt(at) === 46) {
    // The first three fractional digits are the milliseconds; further ones are truncated.
    const first = ++at;
    for (let digit = text.charCodeAt(at) - 48; digit >= 0 && digit <= 9; digit = text.charCodeAt(at) - 48) {
      if (at < first + 3) milliseconds = milliseconds * 10 + digit;
      at++;
    }
    if (at === first) return undefined;
    for (let place = at - first; place < 3; place++) milliseconds *= 10;
  }
  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return undefined;
  const offsetHours = digits(text, at + 1, 2);
  let offsetMinutes = 0;
  if (length === at + 6 && text.charCodeAt(at + 3) === 58) offsetMinutes = digits(text, at + 4, 2);
  else if (length !== at + 3) return undefined;
  if (offsetHours < 0 || offsetMinutes < 0) return undefined;
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return Date.UTC(year, month - 1, day, hour, minute, second, milliseconds) - (sign === 43 ? offset : -offset);
}

/** The decimal value of `count` ASCII digits from `start`; -1 when one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function generalForm(text: string): Date | number {
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
