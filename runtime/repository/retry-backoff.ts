/**
 * How long withRetry waits before running a command again after a ConcurrencyError. Without a
 * wait, the losers of a round all reload at once and collide again: with 16 writers on one
 * aggregate only one of them wins each round, and at 5 immediate attempts 113 of 800 commands
 * failed. "Full jitter" (a uniform wait between 0 and an exponentially growing cap, as in AWS's
 * "Exponential Backoff and Jitter") spreads the retries out so each round has few contenders. With
 * 16 writers × 50 commands on one aggregate on a server, a cap up to 100 ms still needed 42 retries
 * for one command; up to 1 s, at most 22 (test/runtime/with-retry.pg.test.ts).
 */
import { integerIn } from '../argument-checks.js';
import { InvalidArgument } from '../errors.js';

export interface RetryBackoff {
  /** Cap of the first wait; doubles with each retry. Default 5 ms. */
  readonly initialMs?: number;
  /** Largest cap. Default 1000 ms. */
  readonly maxMs?: number;
}

/** Default number of attempts (the first run included): enough for 16 writers on one aggregate. */
export const DEFAULT_RETRY_ATTEMPTS = 50;
const DEFAULT_INITIAL_MS = 5;
const DEFAULT_MAX_MS = 1000;

/** The wait before retry number `retry` (1-based), or a function that says no wait for `false`. */
export function backoffDelays(backoff: RetryBackoff | false | undefined, random: () => number = Math.random): (retry: number) => number {
  if (backoff === false) return () => 0;
  if (backoff !== undefined && (typeof backoff !== 'object' || backoff === null)) {
    throw new InvalidArgument('options.backoff', `must be { initialMs, maxMs } or false; got ${String(backoff)}`);
  }
  const initial = backoff?.initialMs === undefined ? DEFAULT_INITIAL_MS : integerIn('options.backoff.initialMs', backoff.initialMs, 0, 60_000);
  const max = backoff?.maxMs === undefined ? Math.max(DEFAULT_MAX_MS, initial) : integerIn('options.backoff.maxMs', backoff.maxMs, initial, 600_000);
  return (retry) => {
    const cap = Math.min(max, initial * 2 ** Math.min(retry - 1, 30));
    return Math.floor(random() * (cap + 1));
  };
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
