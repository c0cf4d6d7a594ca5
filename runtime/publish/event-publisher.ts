import type { OutgoingMessage } from './published-message.js';

/**
 * The broker behind a publisher. The publisher loop (publisher.ts) reads, checkpoints and leases;
 * an adapter only sends. NATS JetStream is the one shipped (jetstream-publisher.ts); another
 * broker implements this interface.
 */
export interface EventPublisher {
  /** Where messages go, for status output (e.g. `nats stream ORDERS (orders.>)`). */
  readonly destination: string;
  /** Creates or verifies the destination (stream, settings). Called once at start, retried on failure. */
  prepare(): Promise<void>;
  /**
   * Sends the messages in order and waits for the broker's acknowledgement of each. Resolves
   * with how many were acknowledged from the start (all of them when `rejected` is absent).
   * `rejected` = the broker refused the message at index `acknowledged` for a reason that sending
   * it again cannot fix (a poison event). Transient trouble (connection lost, timeouts) rejects
   * the promise instead: the batch is sent again after a backoff, deduplicated by message id.
   */
  send(messages: readonly OutgoingMessage[]): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SendResult {
  readonly acknowledged: number;
  readonly rejected?: { readonly reason: string };
  /** Messages the broker reported as duplicates (already stored within its window). */
  readonly duplicates: number;
}
