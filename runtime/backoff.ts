import { DatabaseUnreachable, isConnectionFault } from './errors.js';

/** How a worker waits for the server to come back: exponential backoff with jitter, and a limit. */
export interface ReconnectOptions {
  /** First wait after a failure. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Longest wait between attempts. Default 2,000 ms. */
  readonly maxDelayMs?: number;
  /** start() gives up with DatabaseUnreachable after waiting this long (Infinity: never). Default 60,000 ms. */
  readonly giveUpAfterMs?: number;
}

export const DEFAULT_RECONNECT = { initialDelayMs: 100, maxDelayMs: 2_000, giveUpAfterMs: 60_000 } as const;

/**
 * The wait before attempt `attempt + 1` (attempt ≥ 1): doubling from initialDelayMs up to
 * maxDelayMs, then drawn from its upper half, so workers that lost the server together do not
 * all come back in the same millisecond.
 */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}): number {
  const initial = options.initialDelayMs ?? DEFAULT_RECONNECT.initialDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RECONNECT.maxDelayMs;
  const ceiling = Math.min(max, initial * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * Runs `operation` until it succeeds, waiting with backoff while it fails with a connection fault
 * (any other error is thrown at once). After giveUpAfterMs: DatabaseUnreachable.
 */
export async function retryWhileUnreachable<T>(
  operation: () => Promise<T>,
  options: ReconnectOptions & { readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void; readonly stopped?: () => boolean } = {},
): Promise<T> {
  const giveUpAfterMs = options.giveUpAfterMs ?? DEFAULT_RECONNECT.giveUpAfterMs;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isConnectionFault(error)) throw error;
      const waited = Date.now() - started;
      const delay = backoffDelay(attempt, options);
      if (waited + delay > giveUpAfterMs || options.stopped?.() === true) throw new DatabaseUnreachable(attempt, waited, error);
      options.onRetry?.(error, attempt, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
