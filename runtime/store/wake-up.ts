import type { SqlClient } from '../sql-client.js';
import { statement } from './statement.js';

/**
 * How an append tells asynchronous projection workers that there is something new to read. A
 * wake-up is only a hint: workers also poll (ReadModelManager's pollIntervalMs), so a lost wake-up
 * delays an event by at most one poll interval and never loses it.
 */
export interface WakeUp {
  /** Called after an append committed. Never throws and never delays the append. */
  appended(): void;
}

export interface NotifyAfterCommitOptions {
  /**
   * Commit the notification with the server's synchronous_commit instead of `off`. Off is safe:
   * the events it announces are already durable, and a notification lost in a crash only means
   * a poll. Default false.
   */
  readonly synchronousCommit?: boolean;
  /**
   * At most one notification per this many milliseconds (0: as soon as the previous one is done).
   * Default 5: the first append after a quiet spell notifies at once, later ones within 5 ms share
   * one notification.
   */
  readonly minIntervalMs?: number;
}

/**
 * The server's wake-up: a NOTIFY sent after the append committed, at most one in flight per store
 * (appends that commit meanwhile are covered by one more) and at most one per `minIntervalMs`,
 * committed asynchronously.
 *
 * Why spaced: a notification is a round trip and a server transaction of its own (NOTIFY assigns
 * it a transaction id and a commit record). Coalescing in flight covers concurrent writers, but a
 * single writer appending one event at a time finds the previous notification done and paid one
 * per append: twice the round trips of the append alone. At most one per 5 ms caps that at 200 a
 * second per store whatever the append rate, for at most 5 ms more latency to a worker.
 *
 * Why not NOTIFY inside the appending transaction: PostgreSQL serialises the commits of notifying
 * transactions (PreCommit_Notify takes a database-wide lock and holds it until the commit record
 * is flushed), so concurrent appends could no longer share WAL flushes (group commit): 8 writers
 * appended 1.6× faster with the NOTIFY after commit than inside the transaction, in one run of
 * `npm run bench -- --only store:server.wakeup` (docs/performance.md). Here the appends commit without the lock, and the notifications,
 * a few per WAL flush instead of one per append, flush nothing themselves (synchronous_commit off
 * for that one transaction, set by set_config(…, true) in the same statement).
 *
 * @example createEventStore({ client, registry, wakeUp: notifyAfterCommit(client, eventsChannel(), { minIntervalMs: 20 }) })
 */
/** See NotifyAfterCommitOptions.minIntervalMs. */
export const DEFAULT_MIN_INTERVAL_MS = 5;

export function notifyAfterCommit(client: SqlClient, channel: string, options: NotifyAfterCommitOptions = {}): WakeUp {
  const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  const notify = statement(
    options.synchronousCommit === true ? `SELECT pg_notify($1, '')` : `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`,
    client.dialect === 'pg',
  );
  let inFlight = false;
  let again = false;
  let lastSent = -Infinity;

  const send = (): void => {
    inFlight = true;
    again = false;
    const fire = () => {
      lastSent = performance.now();
      client
        .query(notify.sql, [channel], notify.options)
        // A failed notification (connection lost, client closed) is a missed hint: workers poll.
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
          if (again) send();
        });
    };
    const wait = lastSent + minIntervalMs - performance.now();
    if (wait <= 0) fire();
    else setTimeout(fire, wait).unref();
  };

  return {
    appended() {
      if (inFlight) again = true;
      else send();
    },
  };
}
