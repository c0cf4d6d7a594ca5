/**
 * The runtime helpers of aggregate `apply` rules on one entry of a `map<T>` state field
 * (`{ entry: event.sku, add: event.quantity }`). Each returns a new map when it changes one and
 * never changes the map it is given: the state before an event stays as it was (snapshots,
 * `loadAtVersion` and tests may hold it). A map field that is unset (optional) counts as empty.
 */

type Entries<T> = Readonly<Record<string, T>>;

/** `{ entry, set }`: the map with `key` set to `value`. */
export function setEntry<T>(map: Entries<T> | undefined, key: string, value: T): Entries<T> {
  return { ...map, [key]: value };
}

/**
 * `{ entry, add }`: the entry plus `amount`; a missing entry counts as 0. An absent amount (read
 * from an optional field) changes nothing, as `add` does in read models.
 */
export function addToEntry(map: Entries<number>, key: string, amount: number | undefined): Entries<number>;
export function addToEntry(map: Entries<number> | undefined, key: string, amount: number | undefined): Entries<number> | undefined;
export function addToEntry(map: Entries<number> | undefined, key: string, amount: number | undefined): Entries<number> | undefined {
  if (amount === undefined) return map;
  return { ...map, [key]: (map !== undefined && Object.hasOwn(map, key) ? map[key]! : 0) + amount };
}

/** `{ entry, subtract }`: the entry minus `amount` (see addToEntry; the entry stays, even at 0). */
export function subtractFromEntry(map: Entries<number>, key: string, amount: number | undefined): Entries<number>;
export function subtractFromEntry(map: Entries<number> | undefined, key: string, amount: number | undefined): Entries<number> | undefined;
export function subtractFromEntry(map: Entries<number> | undefined, key: string, amount: number | undefined): Entries<number> | undefined {
  return addToEntry(map, key, amount === undefined ? undefined : -amount);
}

/** `{ entry, remove: true }`: the map without `key`; the same map when it has no such entry. */
export function removeEntry<T>(map: Entries<T>, key: string): Entries<T>;
export function removeEntry<T>(map: Entries<T> | undefined, key: string): Entries<T> | undefined;
export function removeEntry<T>(map: Entries<T> | undefined, key: string): Entries<T> | undefined {
  if (map === undefined || !Object.hasOwn(map, key)) return map;
  const next: Record<string, T> = { ...map };
  delete next[key];
  return next;
}
