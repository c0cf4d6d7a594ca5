/**
 * A position in global order. Global order is (transactionId, position), never position alone:
 * a sequence value is taken at insert, not at commit (see runtime/store/read-statements.ts).
 */
export interface Checkpoint {
  readonly transactionId: bigint;
  readonly position: bigint;
}

export const ORIGIN: Checkpoint = Object.freeze({ transactionId: 0n, position: 0n });

export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

export function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return a.transactionId === b.transactionId && a.position === b.position;
}

export function checkpointFromText(transactionId: string | number, position: string | number): Checkpoint {
  return { transactionId: BigInt(transactionId), position: BigInt(position) };
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.position} (transaction ${checkpoint.transactionId})`;
}

/**
 * Where a reader of the gap-safe feed continues after a page of at most `limit` events: after its
 * last event when the page was full; otherwise at the head the page's snapshot saw (so events of
 * other types, or none, still move it on); `after` when there was neither.
 */
export function nextCheckpoint(
  after: Checkpoint,
  events: readonly { readonly transactionId: bigint; readonly position: bigint }[],
  limit: number,
  head: { readonly transaction_id: string | number; readonly position: string | number } | undefined,
): { readonly next: Checkpoint; readonly caughtUp: boolean } {
  const caughtUp = events.length < limit;
  const last = events[events.length - 1];
  if (!caughtUp && last !== undefined) return { next: { transactionId: last.transactionId, position: last.position }, caughtUp };
  if (head !== undefined) return { next: checkpointFromText(head.transaction_id, head.position), caughtUp };
  if (last !== undefined) return { next: { transactionId: last.transactionId, position: last.position }, caughtUp };
  return { next: after, caughtUp };
}
