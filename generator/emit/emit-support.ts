/**
 * `support.ts` (top of the output folder): the small helpers generated code shares, mostly the
 * checking combinators every generated validator is written with. Emitted once per build instead
 * of living in the runtime, so generated code depends on nothing that could drift from the
 * generator that wrote it.
 */
import type { EmitContext, EmittedFile } from './emit-context.js';
import { printSourceFile } from './emit-context.js';
import { stringLiteral } from './names.js';

export const supportPath = 'support.ts';

export function emitSupport(context: EmitContext): EmittedFile {
  const text = `
import type { ValidationIssue, ValidationResult } from ${stringLiteral(context.runtimeImport)};

/** Checks one value, appending an issue per problem; \`path\` is the JSON pointer of the value. */
export type Check = (value: unknown, path: string, issues: ValidationIssue[]) => void;

/** A record field that may be absent (\`name: T?\` in the spec); other fields are their bare Check. */
export interface OptionalField {
  readonly optional: Check;
}

export function optional(check: Check): OptionalField {
  return { optional: check };
}

/** Validates a whole event payload. */
export type PayloadValidator = (data: unknown) => ValidationResult;

/** JSON pointer of a child (RFC 6901 escaping of ~ and /). */
export function pointer(path: string, key: string | number): string {
  return \`\${path}/\${String(key).replace(/~/g, '~0').replace(/\\//g, '~1')}\`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return \`the string \${JSON.stringify(value.length > 40 ? \`\${value.slice(0, 40)}…\` : value)}\`;
  if (typeof value === 'number' || typeof value === 'boolean') return \`\${typeof value} \${String(value)}\`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function expect(ok: boolean, what: string): Check {
  return (value, path, issues) => {
    if (!ok) issues.push({ path, message: \`must be \${what}, got \${describe(value)}\` });
  };
}

export const checkString: Check = (value, path, issues) => expect(typeof value === 'string', 'a string')(value, path, issues);

export const checkNumber: Check = (value, path, issues) =>
  expect(typeof value === 'number' && Number.isFinite(value), 'a finite number')(value, path, issues);

export const checkInteger: Check = (value, path, issues) => expect(Number.isSafeInteger(value), 'an integer')(value, path, issues);

export const checkBoolean: Check = (value, path, issues) => expect(typeof value === 'boolean', 'a boolean')(value, path, issues);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const checkUuid: Check = (value, path, issues) =>
  expect(typeof value === 'string' && uuidPattern.test(value), 'a UUID')(value, path, issues);

const datePattern = /^(\\d{4})-(\\d{2})-(\\d{2})$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const checkDate: Check = (value, path, issues) => {
  const match = typeof value === 'string' ? datePattern.exec(value) : null;
  const ok = match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  expect(ok, 'a date (YYYY-MM-DD)')(value, path, issues);
};

// RFC 3339 date-time: an offset is required, so the instant is never ambiguous.
const dateTimePattern = /^(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$/;

export const checkDateTime: Check = (value, path, issues) => {
  const match = typeof value === 'string' ? dateTimePattern.exec(value) : null;
  const ok =
    match !== null &&
    isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) &&
    Number(match[4]) < 24 &&
    Number(match[5]) < 60 &&
    Number(match[6]) < 61 &&
    !Number.isNaN(Date.parse(value as string));
  expect(ok, 'an ISO 8601 date-time with offset (e.g. 2024-05-01T12:00:00Z)')(value, path, issues);
};

/** \`json\` fields accept any JSON value. */
export const checkJson: Check = (value, path, issues) =>
  expect(value !== undefined && typeof value !== 'function' && typeof value !== 'symbol' && typeof value !== 'bigint', 'a JSON value')(value, path, issues);

export function checkEnum(name: string, values: readonly string[]): Check {
  return (value, path, issues) =>
    expect(typeof value === 'string' && values.includes(value), \`one of \${name}: \${values.join(', ')}\`)(value, path, issues);
}

export function checkArray(element: Check): Check {
  return (value, path, issues) => {
    if (!Array.isArray(value)) return expect(false, 'an array')(value, path, issues);
    value.forEach((item, index) => element(item, pointer(path, index), issues));
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkMap(entry: Check): Check {
  return (value, path, issues) => {
    if (!isPlainObject(value)) return expect(false, 'an object (a map)')(value, path, issues);
    for (const [key, item] of Object.entries(value)) entry(item, pointer(path, key), issues);
  };
}

/** A record: required fields present, each field valid, no property the spec does not declare. */
export function checkRecord(name: string, fields: Readonly<Record<string, Check | OptionalField>>): Check {
  const rules = Object.entries(fields).map(([field, rule]) =>
    typeof rule === 'function' ? { field, check: rule, required: true } : { field, check: rule.optional, required: false },
  );
  return (value, path, issues) => {
    if (!isPlainObject(value)) return expect(false, \`an object (\${name})\`)(value, path, issues);
    for (const { field, check, required } of rules) {
      const item = value[field];
      if (item === undefined) {
        if (required) issues.push({ path: pointer(path, field), message: \`is required by \${name}\` });
      } else check(item, pointer(path, field), issues);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) issues.push({ path: pointer(path, key), message: \`is not a field of \${name}\` });
    }
  };
}

/** Runs a check on a whole payload. */
export function validateWith(check: Check, data: unknown): ValidationResult {
  const issues: ValidationIssue[] = [];
  check(data, '', issues);
  return issues.length === 0 ? { ok: true } : { ok: false, errors: issues };
}

/** The validator of one payload version: the payload is a record with these fields. */
export function payloadValidator(name: string, fields: Readonly<Record<string, Check | OptionalField>>): PayloadValidator {
  const check = checkRecord(name, fields);
  return (data) => validateWith(check, data);
}

/** The upcaster of an event that only ever had version 1. */
export function onlyVersion<T>(event: string, fromVersion: number, data: unknown): T {
  if (fromVersion !== 1) throw new RangeError(\`\${event} has no payload version \${fromVersion} (known: 1..1)\`);
  return data as T;
}

export function unknownVersion(event: string, version: number, current: number): ValidationResult {
  return { ok: false, errors: [{ path: '', message: \`\${event} has no payload version \${version} (known: 1..\${current})\` }] };
}
`;
  return { path: supportPath, spec: context.configFile, text: printSourceFile(context, supportPath, [text.trim()]) };
}
