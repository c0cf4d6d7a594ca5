/**
 * The runtime helpers of aggregate `apply` rules on one entry of a `map<T>` state field
 * (`{ entry: event.sku, add: event.quantity }`). Each returns a new map and never changes the one
 * it is given: the state before an event stays as it was (snapshots and tests may hold it).
 * A map field that is unset (optional) counts as empty.
 */

type Entries<T> = Readonly<Record<string, T>>;

/** `{ entry, set }`: the map with `key` set to `value`. */
export function setEntry<T>(map: Entries<T> | undefined, key: string, value: T): Record<string, T> {
  return { ...map, [key]: value };
}

/** `{ entry, add }`: the entry plus `amount` (a missing entry counts as 0, an absent amount changes nothing). */
export function addToEntry(map: Entries<number> | undefined, key: string, amount: number | undefined): Record<string, number> {
  if (amount === undefined) return { ...map };
  return { ...map, [key]: (Object.hasOwn(map ?? {}, key) ? map![key]! : 0) + amount };
}

/** `{ entry, subtract }`: the entry minus `amount` (a missing entry counts as 0; the entry stays, even at 0). */
export function subtractFromEntry(map: Entries<number> | undefined, key: string, amount: number | undefined): Record<string, number> {
  return addToEntry(map, key, amount === undefined ? undefined : -amount);
}

/** `{ entry, remove: true }`: the map without `key` (the same entries when it has none). */
export function removeEntry<T>(map: Entries<T> | undefined, key: string): Record<string, T> {
  const next: Record<string, T> = { ...map };
  delete next[key];
  return next;
}
