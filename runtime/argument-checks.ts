/**
 * Checks for arguments of the public runtime API. Each refuses a value that cannot be right with
 * InvalidArgument (ESG206) before any SQL runs, instead of letting PostgreSQL fail with a bare
 * SQLSTATE or, worse, answer a nonsense question with an empty result. The limits are PostgreSQL's:
 * - `int4` columns (versions, limits) hold −2³¹ … 2³¹−1 (22003 numeric_value_out_of_range);
 * - `int8` positions hold up to 2⁶³−1;
 * - text and jsonb refuse NUL (22021 / 22P05) and lone UTF-16 surrogates (22P02 / 22021);
 * - `varchar(255)` counts characters (code points), not UTF-16 units (22001);
 * - timestamps are written as ISO text: a year outside 0001…9999 prints as `+010000-…` or
 *   `-000001-…`, which PostgreSQL reads differently or refuses, and an invalid Date has none.
 */
import { check, unstorableText, validateWith } from './codegen/checks.js';
import { InvalidArgument } from './errors.js';

/** Largest value of an int4 column (versions, page sizes). */
export const MAX_INT4 = 2 ** 31 - 1;
/** Largest value of an int8 column (global positions, transaction ids). */
export const MAX_INT8 = 2n ** 63n - 1n;
/** Length of the varchar columns (aggregate_type, aggregate_id, event_type), in characters. */
export const MAX_NAME_LENGTH = 255;

/** How a value reads in a message: short, and never throws (circular or BigInt values included). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `the Date ${value.toISOString()}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function refuse(argument: string, expectation: string, value: unknown): never {
  throw new InvalidArgument(argument, `must be ${expectation}; got ${describeValue(value)}`);
}

/** An options object (or absent: `{}`). */
export function optionsObject<T extends object>(argument: string, value: T | undefined): T | Record<string, never> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(argument, 'an options object', value);
  return value;
}

/** A string PostgreSQL can store in a text column. */
export function storableString(argument: string, value: unknown): string {
  if (typeof value !== 'string') refuse(argument, 'a string', value);
  const problem = unstorableText(value);
  if (problem !== undefined) throw new InvalidArgument(argument, problem);
  return value;
}

/** A non-empty string that fits a varchar(255) column. */
export function storableName(argument: string, value: unknown): string {
  const text = storableString(argument, value);
  if (text === '') refuse(argument, 'a non-empty string', value);
  if (characterCount(text) > MAX_NAME_LENGTH) throw new InvalidArgument(argument, `is longer than ${MAX_NAME_LENGTH} characters, the length of its column`);
  return text;
}

/** Characters as PostgreSQL counts them (code points): a surrogate pair is one. */
export function characterCount(text: string): number {
  if (text.length <= MAX_NAME_LENGTH) return text.length; // a pair only shortens the count
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** An integer in [min, max] (defaults: 0 … 2³¹−1, an int4). */
export function integerIn(argument: string, value: unknown, min = 0, max = MAX_INT4): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(argument, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A page size or limit: 1 … 2³¹−1, or the fallback when absent. */
export function optionalLimit(argument: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : integerIn(argument, value, 1);
}

/** A global position or transaction id: a bigint in 0 … 2⁶³−1. */
export function position(argument: string, value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_INT8) refuse(argument, `a bigint from 0n to ${MAX_INT8}n`, value);
  return value;
}

/** A valid Date in the years 0001 … 9999. */
export function storableDate(argument: string, value: unknown): Date {
  if (!(value instanceof Date)) refuse(argument, 'a Date', value);
  const time = value.getTime();
  if (Number.isNaN(time)) refuse(argument, 'a valid Date', value);
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) refuse(argument, 'a Date in the years 0001 to 9999', value);
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID string (event, correlation and causation ids are uuid columns). */
export function uuid(argument: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) refuse(argument, 'a UUID', value);
  return value;
}

/** A UUID, or null when absent. */
export function optionalUuid(argument: string, value: unknown): string | null {
  return value === undefined || value === null ? null : uuid(argument, value);
}

/**
 * Metadata: a plain object of JSON values that jsonb stores and reads back unchanged (not a
 * string, an array, a class instance; no BigInt, undefined, NaN, NUL or lone surrogate). Cycles
 * are refused before the walk, which would otherwise never end.
 */
export function plainJsonObject(argument: string, value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainPrototype(value)) refuse(argument, 'a plain JSON object', value);
  const cycle = cyclePath(value, '', new Set());
  if (cycle !== undefined) throw new InvalidArgument(argument, `refers to itself at ${cycle || '(the object)'}: it cannot be stored as JSON`);
  const result = validateWith(check.json, value);
  if (!result.ok) {
    const issue = result.errors[0]!;
    throw new InvalidArgument(argument, `${issue.path ? `at ${issue.path} ` : ''}${issue.message}`);
  }
  return value as Readonly<Record<string, unknown>>;
}

function isPlainPrototype(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** JSON pointer of the first value that contains one of its ancestors, or undefined. */
function cyclePath(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (ancestors.has(value)) return path;
  ancestors.add(value);
  for (const [key, item] of Object.entries(value)) {
    const found = cyclePath(item, `${path}/${key}`, ancestors);
    if (found !== undefined) return found;
  }
  ancestors.delete(value);
  return undefined;
}

/** An array (not a string, which would spread into characters). */
export function arrayOf(argument: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) refuse(argument, 'an array', value);
  return value;
}

/** A function (handlers and hooks). */
export function optionalFunction(argument: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') refuse(argument, 'a function', value);
}

/** A boolean when given. */
export function optionalBoolean(argument: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') refuse(argument, 'true or false', value);
}

/** A registry as generated code exports it: aggregates, events and readModels tables. */
export function registryShape(argument: string, value: unknown): void {
  const candidate = value as { aggregates?: unknown; events?: unknown; readModels?: unknown } | null;
  const isTable = (table: unknown) => typeof table === 'object' && table !== null && !Array.isArray(table);
  if (typeof candidate !== 'object' || candidate === null || !isTable(candidate.aggregates) || !isTable(candidate.events) || !isTable(candidate.readModels)) {
    refuse(argument, 'the generated registry ({ aggregates, events, readModels })', value);
  }
}
