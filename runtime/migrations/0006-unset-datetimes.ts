import type { Migration } from './migration.js';

/**
 * A required datetime field of a read model that no event has set yet holds its zero value, `''`
 * (docs/generated-code.md), and `''::timestamptz` is an error: a row whose indexed datetime field
 * was still unset could not be written at all. esgen_timestamptz (migration 2, the cast of every
 * datetime expression index and query) now reads `''` as NULL: an unset datetime sorts last and
 * matches no range. Every other value is cast as before, so existing index entries stay valid
 * (no `''` could have been indexed) and no index is rebuilt.
 */
export const unsetDatetimesMigration: Migration = {
  version: 6,
  name: 'unset-datetimes',
  statements: [
    `CREATE OR REPLACE FUNCTION {{schema}}.esgen_timestamptz(value text) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS 'SELECT CASE WHEN value = '''' THEN NULL ELSE value::timestamptz END'`,
  ],
};
