/**
 * Payload checks that generated validators are declared with (`check.string`, `check.array(...)`,
 * `check.record('OrderItem', { ... })`). They accept exactly what PostgreSQL stores unchanged in
 * a JSONB column and what reads back equal, so the state an aggregate holds in memory is the state
 * a reload gives:
 * - strings, map keys and strings inside `json` values contain no NUL (`\u0000`) and no lone
 *   UTF-16 surrogate: jsonb refuses both (SQLSTATE 22P05 / 22P02);
 * - numbers are finite (JSON has no NaN or Infinity: `JSON.stringify` writes them as null);
 * - `json` values are plain JSON: no `undefined` (dropped from objects, null in arrays), no
 *   functions, symbols, bigints, class instances or Dates (stored as something else);
 * - `date` and `datetime` are real calendar dates with a four-digit year from 0001 (PostgreSQL
 *   has no year 0, which an index cast to timestamptz would refuse).
 * Versioned with the runtime: generated code calls them, so their messages and rules are the same
 * in every project.
 */
import type { ValidationIssue, ValidationResult } from '../contracts.js';

/** Checks one value, appending an issue per problem; `path` is the JSON pointer of the value. */
export type Check = (value: unknown, path: string, issues: ValidationIssue[]) => void;

/** A record field that may be absent (`name: T?` in the spec); other fields are their bare Check. */
export interface OptionalField {
  readonly optional: Check;
}

/** The fields of a record or of one payload version, by name. */
export type FieldChecks = Readonly<Record<string, Check | OptionalField>>;

/** JSON pointer of a child (RFC 6901 escaping of ~ and /). */
export function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function expect(ok: boolean, what: string, value: unknown, path: string, issues: ValidationIssue[]): void {
  if (!ok) issues.push({ path, message: `must be ${what}, got ${describe(value)}` });
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL cannot store a string in jsonb, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  const found = unstorable.exec(text);
  if (!found) return undefined;
  return found[0] === '\u0000' ? 'contains a NUL character (\\u0000), which PostgreSQL cannot store' : 'contains a lone UTF-16 surrogate, which PostgreSQL cannot store';
}

function storableString(value: string, path: string, issues: ValidationIssue[]): void {
  const problem = unstorableText(value);
  if (problem) issues.push({ path, message: problem });
}

const string: Check = (value, path, issues) => {
  if (typeof value !== 'string') return expect(false, 'a string', value, path, issues);
  storableString(value, path, issues);
};

const number: Check = (value, path, issues) => expect(typeof value === 'number' && Number.isFinite(value), 'a finite number', value, path, issues);

const integer: Check = (value, path, issues) => expect(Number.isSafeInteger(value), 'an integer', value, path, issues);

const boolean: Check = (value, path, issues) => expect(typeof value === 'boolean', 'a boolean', value, path, issues);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const uuid: Check = (value, path, issues) => expect(typeof value === 'string' && uuidPattern.test(value), 'a UUID', value, path, issues);

/**
 * A real day of the proleptic Gregorian calendar, years 1..9999. `Date.UTC` would read years 0-99
 * as 1900-1999, so the year is set on its own with setUTCFullYear.
 */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

const date: Check = (value, path, issues) => {
  const match = typeof value === 'string' ? datePattern.exec(value) : null;
  const ok = match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  expect(ok, 'a date (YYYY-MM-DD, year 0001 to 9999)', value, path, issues);
};

// RFC 3339 date-time: an offset is required, so the instant is never ambiguous.
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

const datetime: Check = (value, path, issues) => {
  const match = typeof value === 'string' ? dateTimePattern.exec(value) : null;
  const ok =
    match !== null &&
    isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) &&
    Number(match[4]) < 24 &&
    Number(match[5]) < 60 &&
    Number(match[6]) < 60 &&
    (match[9] === undefined || (Number(match[9]) < 24 && Number(match[10]) < 60)) &&
    !Number.isNaN(Date.parse(value as string));
  expect(ok, 'an ISO 8601 date-time with offset (e.g. 2024-05-01T12:00:00Z, year 0001 to 9999)', value, path, issues);
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Any JSON value that survives a round trip through jsonb unchanged. */
const json: Check = (value, path, issues) => {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') return storableString(value, path, issues);
  if (typeof value === 'number') return expect(Number.isFinite(value), 'a finite number (JSON has no NaN or Infinity)', value, path, issues);
  if (Array.isArray(value)) {
    // A hole or undefined would be stored as null.
    for (let index = 0; index < value.length; index++) json(value[index], pointer(path, index), issues);
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = pointer(path, key);
      storableString(key, at, issues);
      json(item, at, issues);
    }
    return;
  }
  expect(false, 'a JSON value (null, boolean, finite number, string, array or plain object)', value, path, issues);
};

function oneOf(name: string, values: readonly string[]): Check {
  return (value, path, issues) => expect(typeof value === 'string' && values.includes(value), `one of ${name}: ${values.join(', ')}`, value, path, issues);
}

function array(element: Check): Check {
  return (value, path, issues) => {
    if (!Array.isArray(value)) return expect(false, 'an array', value, path, issues);
    for (let index = 0; index < value.length; index++) element(value[index], pointer(path, index), issues);
  };
}

function map(entry: Check): Check {
  return (value, path, issues) => {
    if (!isPlainObject(value)) return expect(false, 'an object (a map)', value, path, issues);
    for (const [key, item] of Object.entries(value)) {
      const at = pointer(path, key);
      storableString(key, at, issues);
      entry(item, at, issues);
    }
  };
}

/** A record: required fields present, each field valid, no property the spec does not declare. */
function record(name: string, fields: FieldChecks): Check {
  const rules = Object.entries(fields).map(([field, rule]) => (typeof rule === 'function' ? { field, check: rule, required: true } : { field, check: rule.optional, required: false }));
  return (value, path, issues) => {
    if (!isPlainObject(value)) return expect(false, `an object (${name})`, value, path, issues);
    for (const { field, check, required } of rules) {
      const item = value[field];
      if (item === undefined) {
        if (required) issues.push({ path: pointer(path, field), message: `is required by ${name}` });
      } else check(item, pointer(path, field), issues);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) issues.push({ path: pointer(path, key), message: `is not a field of ${name}` });
    }
  };
}

function optional(check: Check): OptionalField {
  return { optional: check };
}

/** A check declared further down (value types may refer to each other, or to themselves). */
function lazy(get: () => Check): Check {
  return (value, path, issues) => get()(value, path, issues);
}

/** The checks generated validators are declared with. */
export const check = { string, integer, number, boolean, uuid, date, datetime, json, enum: oneOf, array, map, record, optional, lazy } as const;

/** The spec's scalar types (`json` included), each with the one check that defines its valid values. */
export type ScalarName = 'string' | 'integer' | 'number' | 'boolean' | 'uuid' | 'date' | 'datetime' | 'json';

/**
 * Why a value is not a valid `name`, or undefined when it is. The generator's checks of spec
 * constants (defaults, apply constants, mapping constants, upcast values) call this too, so a
 * constant `esgen validate` accepts is one the generated validators accept.
 */
export function scalarProblem(name: ScalarName, value: unknown): string | undefined {
  const issues: ValidationIssue[] = [];
  check[name](value, '', issues);
  return issues[0]?.message;
}

/** Runs a check on a whole value. */
export function validateWith(check: Check, data: unknown): ValidationResult {
  const issues: ValidationIssue[] = [];
  check(data, '', issues);
  return issues.length === 0 ? { ok: true } : { ok: false, errors: issues };
}
