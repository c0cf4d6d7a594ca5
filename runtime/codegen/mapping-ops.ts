/**
 * The runtime helpers of read-model mapping operations (`on: { Event: { add: amount } }` and its
 * siblings) and keys. Each is one row of the generator's mapping-operation table
 * (generator/ops/mapping-ops.ts), which emits a call to it. An operand read from an optional
 * payload field may be absent: absent means "no change".
 */

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
