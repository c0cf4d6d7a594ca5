/**
 * The statements of the personal-data keys (migration 5's pii_keys). Wrapped keys travel as hex
 * text: both drivers pass text arrays alike, and `encode(…, 'base64')` would insert line breaks.
 */
export interface KeyStatements {
  /** $1 subject ids → their rows (a tombstone has wrapped_key NULL). Never inserts: reads use it. */
  readonly read: string;
  /**
   * $1 subject ids, $2 wrapped keys (hex), $3 master key id: creates the keys that do not exist.
   * ON CONFLICT DO NOTHING waits for a concurrent inserter of the same subject and then leaves its
   * key in place; the caller reads the winners with `read` in a new statement (a new snapshot).
   * A tombstone is a conflicting row too: a forgotten subject never gets a key again.
   */
  readonly create: string;
  /**
   * $1 subject id: drops the key and leaves the tombstone, in one statement. The upsert waits for a
   * concurrent key insert of the same subject (same primary key) and then overwrites it.
   * Returns whether a key existed.
   */
  readonly forget: string;
  /** $1 master key id: keys wrapped by another master key (rotation). */
  readonly wrappedByOthers: string;
  /** $1 subject, $2 new wrapped key (hex), $3 new master key id, $4 old master key id. */
  readonly rewrap: string;
}

export function keyStatements(quotedSchema: string): KeyStatements {
  const keys = `${quotedSchema}.pii_keys`;
  return {
    read: `SELECT subject_id, encode(wrapped_key, 'hex') AS wrapped_key, master_key_id FROM ${keys} WHERE subject_id = ANY($1::text[])`,
    create: `INSERT INTO ${keys} (subject_id, wrapped_key, master_key_id)
SELECT s, decode(w, 'hex'), $3 FROM unnest($1::text[], $2::text[]) AS c(s, w)
ON CONFLICT (subject_id) DO NOTHING`,
    forget: `WITH before AS (SELECT wrapped_key IS NOT NULL AS had_key FROM ${keys} WHERE subject_id = $1)
INSERT INTO ${keys} AS k (subject_id, wrapped_key, master_key_id, forgotten_at) VALUES ($1, NULL, NULL, now())
ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, master_key_id = NULL, forgotten_at = coalesce(k.forgotten_at, now())
RETURNING coalesce((SELECT had_key FROM before), false) AS had_key, forgotten_at`,
    wrappedByOthers: `SELECT subject_id, encode(wrapped_key, 'hex') AS wrapped_key, master_key_id FROM ${keys}
WHERE wrapped_key IS NOT NULL AND master_key_id <> $1 ORDER BY subject_id`,
    rewrap: `UPDATE ${keys} SET wrapped_key = decode($2, 'hex'), master_key_id = $3 WHERE subject_id = $1 AND master_key_id = $4`,
  };
}

export interface KeyRow {
  subject_id: string;
  /** Hex; null for a forgotten subject. */
  wrapped_key: string | null;
  master_key_id: string | null;
}
