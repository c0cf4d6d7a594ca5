import { assertIdentifier, resolveSchema } from '../identifiers.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';

/**
 * Remembers which events a consumer has handled, so a redelivery (after a crash between handling
 * and ack, or a re-publish outside the broker's duplicate window) is acknowledged without being
 * handled again.
 */
export interface DedupStore {
  /**
   * Runs `work` unless `eventId` was already handled, and records it as handled when `work`
   * succeeds. A store backed by a database passes the transaction the id is recorded in, so the
   * handler's own writes commit together with it (handled exactly once).
   */
  once(eventId: string, work: (tx: SqlExecutor | undefined) => Promise<void>): Promise<'handled' | 'duplicate'>;
}

/**
 * In memory, for one process: the newest `maxEntries` ids (default 100,000). Lost on restart, so
 * a restart may handle an event again: use it for idempotent handlers or tests.
 */
export function createMemoryDedupStore(options: { readonly maxEntries?: number } = {}): DedupStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const handled = new Set<string>();
  const running = new Map<string, Promise<unknown>>();
  return {
    async once(eventId, work) {
      // A redelivery while the first delivery is still being handled waits for it.
      while (running.has(eventId)) await running.get(eventId)!.catch(() => undefined);
      if (handled.has(eventId)) return 'duplicate';
      const attempt = work(undefined);
      running.set(eventId, attempt);
      try {
        await attempt;
      } finally {
        running.delete(eventId);
      }
      handled.add(eventId);
      if (handled.size > maxEntries) handled.delete(handled.values().next().value!);
      return 'handled';
    },
  };
}

export interface PostgresDedupStoreOptions {
  readonly client: SqlClient;
  /** The consumer's name: ids are remembered per consumer. */
  readonly consumer: string;
  /** Schema of the table (created by ensure()); default `public`. */
  readonly schema?: string;
}

export interface PostgresDedupStore extends DedupStore {
  /** Creates the table when missing (the consuming service need not run esgen's migrations). */
  ensure(): Promise<void>;
  /** Forgets ids handled before `before` (keep them longer than redeliveries can arrive). */
  prune(before: Date): Promise<number>;
}

/**
 * In PostgreSQL (server or PGlite): the id is inserted in the transaction the handler runs in, so
 * a crash before commit leaves neither the handler's writes nor the id, and a concurrent
 * redelivery waits on the row and then sees a duplicate.
 */
export function createPostgresDedupStore(options: PostgresDedupStoreOptions): PostgresDedupStore {
  const { quoted } = resolveSchema(options.schema);
  const consumer = assertIdentifier('consumer name', options.consumer);
  const table = `${quoted}.esgen_consumed_events`;
  return {
    async ensure() {
      await options.client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await options.client.query(`CREATE TABLE IF NOT EXISTS ${table} (
  consumer varchar(255) NOT NULL,
  event_id varchar(255) NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
)`);
    },
    async once(eventId, work) {
      return options.client.transaction(async (tx) => {
        const inserted = await tx.query(`INSERT INTO ${table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [consumer, eventId]);
        if (inserted.rowCount === 0) return 'duplicate' as const;
        await work(tx);
        return 'handled' as const;
      });
    },
    async prune(before) {
      const result = await options.client.query(`DELETE FROM ${table} WHERE consumer = $1 AND handled_at < $2`, [consumer, before]);
      return result.rowCount;
    },
  };
}
