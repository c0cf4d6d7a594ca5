import { compareCheckpoints, checkpointFromText, formatCheckpoint, type Checkpoint } from './checkpoint.js';
import type { ProjectionContext } from './projection-batch.js';
import { ProjectionWaitTimedOut } from './projection-errors.js';
import { readAllPositions } from './projection-positions.js';
import { sleep } from './wake-signal.js';

export interface WaitOptions {
  /** Projections (or subscriptions) to wait for; default: every async read model of the registry. */
  readonly projections?: readonly string[];
  /** Default 30 s; rejects with ProjectionWaitTimedOut (ESG224). */
  readonly timeoutMs?: number;
  /** How often to re-read checkpoints; default 20 ms. */
  readonly pollMs?: number;
}

/** The (transaction id, position) of the event at a global position; undefined until it is visible. */
export async function checkpointOfPosition(ctx: ProjectionContext, position: bigint): Promise<Checkpoint | undefined> {
  const result = await ctx.client.query<{ transaction_id: string }>(
    `SELECT transaction_id::text AS transaction_id FROM ${ctx.tables.events} WHERE global_position = $1::bigint`,
    [position.toString()],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : checkpointFromText(row.transaction_id, position.toString());
}

/**
 * The newest committed event visible now, of any type, ignoring the gap-safety horizon: a caller
 * waiting for "caught up" means everything committed before the call, even when an older
 * transaction still running holds readers back for a while.
 */
export async function headCheckpoint(ctx: ProjectionContext): Promise<Checkpoint> {
  const result = await ctx.client.query<{ transaction_id: string; position: string }>(
    `SELECT e.transaction_id::text AS transaction_id, e.global_position::text AS position FROM ${ctx.tables.events} AS e
ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
  );
  const row = result.rows[0];
  return row === undefined ? { transactionId: 0n, position: 0n } : checkpointFromText(row.transaction_id, row.position);
}

/**
 * Resolves once every named checkpoint is at or past `target`. Rejects at once with the recorded
 * error when one of them is stopped on a failing event before the target, else on timeout.
 */
export async function waitForCheckpoints(
  ctx: ProjectionContext,
  names: readonly string[],
  target: Checkpoint | (() => Promise<Checkpoint | undefined>),
  options: WaitOptions,
  describe: string,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let resolved = typeof target === 'function' ? undefined : target;
  for (;;) {
    if (resolved === undefined && typeof target === 'function') resolved = await target();
    if (resolved !== undefined) {
      const positions = new Map((await readAllPositions(ctx.client, ctx.positions)).map((state) => [state.name, state]));
      let done = true;
      for (const name of names) {
        const state = positions.get(name);
        if (state !== undefined && compareCheckpoints(state.checkpoint, resolved) >= 0) continue;
        done = false;
        // Stopped on a failing event with no retry due: waiting cannot help. (A retry that is due,
        // e.g. just requested with `retry`, may still succeed: keep waiting for it.)
        if (state?.status === 'failed' && state.error !== undefined && (state.retryAt === null || state.retryAt.getTime() > Date.now())) {
          throw new ProjectionWaitTimedOut(name, `${describe} ${formatCheckpoint(resolved)} (stopped: ${state.error.message})`, 0);
        }
      }
      if (done) return;
    }
    if (Date.now() >= deadline) {
      throw new ProjectionWaitTimedOut(names.join(', '), resolved === undefined ? describe : `${describe} ${formatCheckpoint(resolved)}`, timeoutMs);
    }
    await sleep(pollMs);
  }
}
