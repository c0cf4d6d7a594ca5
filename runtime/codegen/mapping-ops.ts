/**
 * The runtime helpers of read-model mapping operations (`on: { Event: { add: amount } }` and its
 * siblings) and keys. Each is one row of the generator's mapping-operation table
 * (generator/ops/mapping-ops.ts), which emits a call to it. An operand read from an optional
 * payload field may be absent: absent means "no change".
 */
import { ComputedValueOutOfRange } from '../errors.js';

/** `add`, `increment`: the field plus a number (an unset field counts as 0). */
export function add(field: number | undefined, value: number | undefined): number {
  return (field ?? 0) + (value ?? 0);
}

/** `subtract`: the field minus a number (an unset field counts as 0). */
export function subtract(field: number | undefined, value: number | undefined): number {
  return (field ?? 0) - (value ?? 0);
}

/**
 * `min`: the smaller of the stored value and the event's (numbers, or UTC ISO strings for dates
 * and datetimes, which compare in time order). `stored` is the stored row's field: undefined when
 * the row is new or the field unset, which takes the event's value.
 */
export function min<T extends number | string>(stored: T | undefined, value: T): T;
export function min<T extends number | string>(stored: T | undefined, value: T | undefined): T | undefined;
export function min<T extends number | string>(stored: T | undefined, value: T | undefined): T | undefined {
  return stored === undefined || (value !== undefined && value < stored) ? value ?? stored : stored;
}

/** `max`: the larger of the stored value and the event's (see min). */
export function max<T extends number | string>(stored: T | undefined, value: T): T;
export function max<T extends number | string>(stored: T | undefined, value: T | undefined): T | undefined;
export function max<T extends number | string>(stored: T | undefined, value: T | undefined): T | undefined {
  return stored === undefined || (value !== undefined && value > stored) ? value ?? stored : stored;
}

/** `append` of one element (an absent one leaves the list as it is). */
export function append<T>(list: readonly T[], item: T | undefined): readonly T[];
export function append<T>(list: readonly T[] | undefined, item: T | undefined): readonly T[] | undefined;
export function append<T>(list: readonly T[] | undefined, item: T | undefined): readonly T[] | undefined {
  return item === undefined ? list : [...(list ?? []), item];
}

/** `append` of a list value: its elements, in order. */
export function appendAll<T>(list: readonly T[], items: readonly T[] | undefined): readonly T[];
export function appendAll<T>(list: readonly T[] | undefined, items: readonly T[] | undefined): readonly T[] | undefined;
export function appendAll<T>(list: readonly T[] | undefined, items: readonly T[] | undefined): readonly T[] | undefined {
  return items === undefined ? list : [...(list ?? []), ...items];
}

/**
 * `setOnce`: the first value wins, by event order. `stored` is the stored row's field: a new row or
 * an unset field takes the event's value (the default of a new row does not count as set).
 */
export function setOnce<T>(stored: T | undefined, value: T): T;
export function setOnce<T>(stored: T | undefined, value: T | undefined): T | undefined;
export function setOnce<T>(stored: T | undefined, value: T | undefined): T | undefined {
  return stored === undefined ? value : stored;
}

// Computed values (`unitPrice * quantity`): an absent operand makes the value absent (so `add`
// adds nothing); a zero divisor too. A row never holds NaN or Infinity: an overflow throws.

function finite(value: number, left: number, op: string, right: number): number {
  if (!Number.isFinite(value)) throw new ComputedValueOutOfRange(`${left} ${op} ${right}`);
  return value;
}

/** `a + b` in a computed value. */
export function plus(left: number, right: number): number;
export function plus(left: number | undefined, right: number | undefined): number | undefined;
export function plus(left: number | undefined, right: number | undefined): number | undefined {
  return left === undefined || right === undefined ? undefined : finite(left + right, left, '+', right);
}

/** `a - b` in a computed value. */
export function minus(left: number, right: number): number;
export function minus(left: number | undefined, right: number | undefined): number | undefined;
export function minus(left: number | undefined, right: number | undefined): number | undefined {
  return left === undefined || right === undefined ? undefined : finite(left - right, left, '-', right);
}

/** `a * b` in a computed value. */
export function times(left: number, right: number): number;
export function times(left: number | undefined, right: number | undefined): number | undefined;
export function times(left: number | undefined, right: number | undefined): number | undefined {
  return left === undefined || right === undefined ? undefined : finite(left * right, left, '*', right);
}

/** `a / b` in a computed value: absent when `b` is 0 (there is no value to store). */
export function dividedBy(left: number | undefined, right: number | undefined): number | undefined {
  return left === undefined || right === undefined || right === 0 ? undefined : finite(left / right, left, '/', right);
}

// Keyed list operations on a list of records (`lines: OrderLine[]`). Elements match when every key
// field is equal (===: keys are scalars, datetimes canonical UTC). A key value that is absent
// changes nothing: it identifies no element.

/** How `upsert` merges a field into an existing element: `sum` adds, `keep` keeps the old value (default: replace). */
export type ElementRule = 'sum' | 'keep';

function matches<T extends object>(element: T, match: Partial<T>, fields: readonly (keyof T)[]): boolean {
  return fields.every((field) => element[field] === match[field]);
}

/** Own fields of `element` whose value is present (absent values replace nothing; rows hold no undefined). */
function present<T extends object>(element: T): Partial<T> {
  return Object.fromEntries(Object.entries(element).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * `upsert`: appends `element`, or merges it into the first element with equal `key` fields: a
 * given field replaces, a `sum` field adds (numbers), a `keep` field keeps the existing value.
 */
export function upsertBy<T extends object>(list: readonly T[] | undefined, element: T, key: readonly (keyof T & string)[], rules: { readonly [K in keyof T]?: ElementRule } = {}): readonly T[] {
  const current = list ?? [];
  if (key.some((field) => element[field] === undefined)) return current;
  const index = current.findIndex((candidate) => matches(candidate, element, key));
  if (index < 0) return [...current, present(element) as T];
  const existing = current[index]!;
  const merged: Record<string, unknown> = { ...(existing as Record<string, unknown>) };
  for (const [field, value] of Object.entries(present(element))) {
    const rule = rules[field as keyof T];
    if (rule === 'keep' && (existing as Record<string, unknown>)[field] !== undefined) continue;
    merged[field] = rule === 'sum' ? (((existing as Record<string, unknown>)[field] as number | undefined) ?? 0) + (value as number) : value;
  }
  return current.map((candidate, i) => (i === index ? (merged as T) : candidate));
}

/** `upsert` with `each`: upsertBy of the element made from each entry of a payload list, in order (an absent list changes nothing). */
export function upsertEach<T extends object, I>(list: readonly T[] | undefined, entries: readonly I[] | undefined, toElement: (entry: I) => T, key: readonly (keyof T & string)[], rules: { readonly [K in keyof T]?: ElementRule } = {}): readonly T[] {
  let current = list ?? [];
  for (const entry of entries ?? []) current = upsertBy(current, toElement(entry), key, rules);
  return current;
}

/** `removeBy`: the list without the elements whose fields equal `match` (an absent value removes nothing). */
export function removeBy<T extends object>(list: readonly T[] | undefined, match: Partial<T>): readonly T[] {
  const current = list ?? [];
  const fields = Object.keys(match) as (keyof T)[];
  if (fields.some((field) => match[field] === undefined)) return current;
  return current.filter((element) => !matches(element, match, fields));
}

/**
 * `decrement`: subtracts `by` from `field` of the elements whose fields equal `match`; with
 * `removeAtZero`, an element at zero or below is removed. No match, or an absent value, changes nothing.
 */
export function decrementBy<T extends object, F extends keyof T & string>(list: readonly T[] | undefined, match: Partial<T>, field: F, by: number | undefined, removeAtZero: boolean): readonly T[] {
  const current = list ?? [];
  const fields = Object.keys(match) as (keyof T)[];
  if (by === undefined || fields.some((name) => match[name] === undefined)) return current;
  return current.flatMap((element) => {
    if (!matches(element, match, fields)) return [element];
    const value = ((element[field] as number | undefined) ?? 0) - by;
    return removeAtZero && value <= 0 ? [] : [{ ...element, [field]: value }];
  });
}

/** A payload datetime in UTC ISO form, so datetimes with different offsets compare in time order. */
export function utc(datetime: string): string;
export function utc(datetime: string | undefined): string | undefined;
export function utc(datetime: string | undefined): string | undefined {
  return datetime === undefined ? undefined : new Date(datetime).toISOString();
}

export type TimeBucket = 'hour' | 'day' | 'month' | 'year';

const bucketLength: Readonly<Record<TimeBucket, number>> = { hour: 13, day: 10, month: 7, year: 4 };

/** A key truncated to a UTC time bucket: `YYYY-MM-DDTHH`, `YYYY-MM-DD`, `YYYY-MM`, `YYYY`. */
export function timeBucket(at: Date | string, bucket: TimeBucket): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, bucketLength[bucket]);
}

/** A row id from a key value of any scalar type; undefined when absent (the event then touches no row). */
export function keyText(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}
