/**
 * Reads `timestamptz` values from PGlite as the instants PostgreSQL stored. PGlite's own parser
 * hands PostgreSQL's text (`0050-03-15 03:30:00.123+00`) to `new Date(text)`, whose non-ISO
 * fallback reads years 0001–0099 as 1900–2099 or as other fields (`0013-01-15` is an invalid
 * date), so an event that occurred in year 50 would load as 1950. node-postgres parses the same
 * text correctly; esgen's parser (timestamptz-text.ts) agrees with it, and is faster than both.
 */
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz-text.js';

/** Query option for PGlite: its parsers, with ours for timestamptz. */
export const pgliteParsers: Readonly<Record<number, (text: string) => unknown>> = { [TIMESTAMPTZ_OID]: parseTimestamptz };
