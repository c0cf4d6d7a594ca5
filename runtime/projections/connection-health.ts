import { backoffDelay, type ReconnectOptions } from '../backoff.js';

/** What a worker tells about its connection to PostgreSQL (ReadModelManagerOptions.onConnection). */
export type WorkerConnectionEvent =
  /** start() cannot reach the server yet and waits `delayMs` before attempt `attempt + 1`. */
  | { readonly kind: 'waiting'; readonly error: unknown; readonly attempt: number; readonly delayMs: number }
  /** The connection failed while running: the worker retries with backoff. */
  | { readonly kind: 'lost'; readonly error: unknown }
  /** Working again, `downMs` after the loss: leases are re-taken and the read models catch up. */
  | { readonly kind: 'restored'; readonly downMs: number };

/** Where a worker's log lines go; default `console`. */
export interface WorkerLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface ConnectionHealthOptions {
  readonly name: string;
  readonly reconnect: ReconnectOptions | undefined;
  readonly logger: WorkerLogger | undefined;
  readonly onConnection: ((event: WorkerConnectionEvent) => void) | undefined;
  readonly onError: ((error: unknown) => void) | undefined;
  /** Called once when the connection works again. */
  readonly onRestored: () => void;
}

/**
 * Tracks whether a worker's connection is up, so an outage is reported once (a log line, onError,
 * onConnection) rather than once per failed attempt, and the retry waits grow with jitter.
 */
export class ConnectionHealth {
  #lostAt: number | undefined;
  #attempts = 0;

  constructor(private readonly options: ConnectionHealthOptions) {}

  get down(): boolean {
    return this.#lostAt !== undefined;
  }

  /** Records a connection fault; returns how long to wait before the next attempt. */
  lost(error: unknown): number {
    this.#attempts++;
    if (this.#lostAt === undefined) {
      this.#lostAt = Date.now();
      this.options.logger?.warn(`esgen: ${this.options.name} lost its connection to PostgreSQL (${messageOf(error)}); reconnecting with backoff`);
      this.options.onError?.(error);
      this.options.onConnection?.({ kind: 'lost', error });
    }
    return backoffDelay(this.#attempts, this.options.reconnect);
  }

  /** Records a successful round trip; reports the recovery when there was an outage. */
  ok(): void {
    if (this.#lostAt === undefined) return;
    const downMs = Date.now() - this.#lostAt;
    this.#lostAt = undefined;
    this.#attempts = 0;
    this.options.logger?.info(`esgen: ${this.options.name} reconnected to PostgreSQL after ${(downMs / 1000).toFixed(1)} s; re-taking leases and catching up`);
    this.options.onConnection?.({ kind: 'restored', downMs });
    this.options.onRestored();
  }

  /** start() is waiting for the server. */
  waiting(error: unknown, attempt: number, delayMs: number): void {
    this.options.logger?.warn(`esgen: ${this.options.name} is waiting for PostgreSQL (attempt ${attempt}, next in ${delayMs} ms): ${messageOf(error)}`);
    this.options.onConnection?.({ kind: 'waiting', error, attempt, delayMs });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
