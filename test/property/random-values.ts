/**
 * Random values of spec types. Two profiles:
 * - `spec`: constants written into spec files (defaults, upcast `add`, apply and mapping
 *   constants). They satisfy both the spec checker and the generated validators.
 * - `payload`: event payloads for the runtime tests, with edge values on purpose: empty strings,
 *   unicode, the largest and smallest numbers, years 0001–0099 and 9999, absent and present
 *   optionals, empty lists and maps, keys such as `__proto__`.
 */
import { findType, type AggregateModel, type Field, type Json, type TypeExpr } from './domain-model.js';
import type { Random } from './seeded-random.js';

export type ValueProfile = 'spec' | 'payload';

/** Text that tends to break code generators and databases, all of it valid JSON strings. */
const trickyStrings = [
  '',
  ' ',
  'Zürich',
  '日本語のテキスト',
  '👍🏽 family: 👨‍👩‍👧',
  'e\u0301 (combining)',
  'עברית',
  "it's",
  'say "hi"',
  'back\\slash',
  'C:\\temp\\new',
  '${notATemplate}',
  '`tick`',
  'end */ of comment',
  '/* open',
  '// slash',
  '<script>alert(1)</script>',
  'line\nbreak',
  'tab\there',
  'carriage\r\nreturn',
  'null',
  'true',
  '123',
  '-0',
  'yes',
  'on',
  '~',
  '# hash',
  ': colon',
  '- dash',
  'event.field',
  '$occurredAt',
  'u\u2028separator',
  'zero\u200bwidth',
  '\u00a0nbsp',
  'data',
  'context',
];

const words = ['alpha', 'beta', 'gamma', 'delta', 'order', 'x', 'q', 'Bern', 'ticket', 'k'];

/** Map keys (and json object keys): identifiers, empty, numeric-looking, Object.prototype names. */
const trickyKeys = ['', 'a', 'key with space', 'ключ', '1', '01', '-1', 'constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'a/b', 'a~b', '😀', 'data'];

export function randomString(random: Random, profile: ValueProfile): string {
  const roll = random.next();
  if (roll < 0.35) return random.pick(trickyStrings);
  if (roll < 0.75) return `${random.pick(words)}${random.chance(0.5) ? `-${random.int(0, 999)}` : ''}`;
  if (roll < 0.95 || profile === 'spec') return Array.from({ length: random.int(1, 24) }, () => String.fromCodePoint(random.pick(codePoints(random)))).join('');
  // Long text (still below the 255 characters of row ids).
  return 'long:'.padEnd(random.int(100, 240), random.pick(['x', 'é', '語']));
}

function codePoints(random: Random): readonly number[] {
  const ranges: [number, number][] = [
    [0x20, 0x7e],
    [0xa0, 0x24f],
    [0x3040, 0x30ff],
    [0x1f300, 0x1f64f],
  ];
  const [lo, hi] = random.pick(ranges);
  return [random.int(lo, hi)];
}

export function randomKey(random: Random): string {
  return random.chance(0.6) ? random.pick(trickyKeys) : `${random.pick(words)}${random.int(0, 99)}`;
}

const integerEdges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_000_000];
// Not Number.MAX_VALUE: read models add numbers up, and a sum beyond it is Infinity, which JSON cannot hold.
const numberEdges = [0, 0.1, 0.5, -1.25, 1 / 3, 1e-7, 1e21, 123.456, Number.MIN_VALUE, 1.7976931348623157e300, -1e300, 2 ** 53 + 2, Number.EPSILON];

export function randomInteger(random: Random): number {
  return random.chance(0.4) ? random.pick(integerEdges) : random.int(-1000, 100_000);
}

export function randomNumber(random: Random): number {
  if (random.chance(0.2)) return randomInteger(random);
  if (random.chance(0.4)) return random.pick(numberEdges);
  return Math.round((random.next() - 0.3) * 1e6) / 100;
}

const hex = '0123456789abcdef';
export function randomUuid(random: Random, profile: ValueProfile): string {
  const roll = random.next();
  if (roll < 0.05) return '00000000-0000-0000-0000-000000000000';
  if (roll < 0.08) return 'ffffffff-ffff-ffff-ffff-ffffffffffff';
  const digits = (n: number) => Array.from({ length: n }, () => hex[random.int(0, 15)]).join('');
  const uuid = `${digits(8)}-${digits(4)}-4${digits(3)}-${'89ab'[random.int(0, 3)]}${digits(3)}-${digits(12)}`;
  return profile === 'payload' && random.chance(0.15) ? uuid.toUpperCase() : uuid;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Edge dates: the first years (which `Date.UTC` maps to 1900–1999), the last year, leap days. */
const dateEdges = ['0001-01-01', '0050-06-15', '0099-12-31', '0100-01-01', '9999-12-31', '2000-02-29', '1900-02-28', '1970-01-01', '2024-02-29'];

export function randomDate(random: Random, profile: ValueProfile): string {
  if (random.chance(profile === 'payload' ? 0.2 : 0.1)) return random.pick(dateEdges);
  const year = random.int(1000, 2999);
  const month = random.int(1, 12);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(random.int(1, daysIn(year, month)), 2)}`;
}

export function randomDateTime(random: Random, profile: ValueProfile): string {
  const date = randomDate(random, profile);
  // A negative offset on the last day of 9999 is an instant in year 10000 (JavaScript prints it `+010000-…`).
  const lastDay = date === '9999-12-31';
  const time = `${pad(random.int(0, 23), 2)}:${pad(random.int(0, 59), 2)}:${pad(random.int(0, 59), 2)}`;
  const fraction = random.weighted<string>([
    [5, ''],
    [2, `.${pad(random.int(0, 999), 3)}`],
    [1, `.${random.int(0, 9)}`],
    [1, `.${pad(random.int(0, 999_999), 6)}`],
  ]);
  const offset = () => `${random.pick(['+', '-'])}${pad(random.int(0, 14), 2)}:${random.pick(['00', '30', '45'])}`;
  const zone = lastDay ? random.pick(['Z', '+01:00']) : random.weighted<string>([[4, 'Z'], [3, offset()], [profile === 'payload' ? 1 : 0, 'z']]);
  const separator = profile === 'payload' && random.chance(0.1) ? random.pick([' ', 't']) : 'T';
  return `${date}${separator}${time}${fraction}${zone}`;
}

interface ValueContext {
  readonly aggregate: AggregateModel;
  readonly random: Random;
  readonly profile: ValueProfile;
}

/** A random value of `type`; recursion through value types stops at `depth` with empty lists, maps and absent optionals. */
export function randomValue(aggregate: AggregateModel, type: TypeExpr, random: Random, profile: ValueProfile, depth = 0): Json {
  return valueOf({ aggregate, random, profile }, type, depth);
}

function valueOf(ctx: ValueContext, type: TypeExpr, depth: number): Json {
  const { random, profile } = ctx;
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'string':
          return randomString(random, profile);
        case 'integer':
          return randomInteger(random);
        case 'number':
          return randomNumber(random);
        case 'boolean':
          return random.chance(0.5);
        case 'uuid':
          return randomUuid(random, profile);
        case 'date':
          return randomDate(random, profile);
        case 'datetime':
          return randomDateTime(random, profile);
        case 'json':
          // null is a json value everywhere (a required field, a list element, a map value): the
          // checker and the generated validators agree on it (`[null]` for a json[] field).
          return randomJson(ctx, depth);
      }
      break;
    case 'named': {
      const named = findType(ctx.aggregate, type.name);
      if (named.kind === 'enum') return random.pick(named.values);
      return randomRecord(ctx, named.fields, depth + 1);
    }
    case 'list': {
      const length = depth >= 3 ? 0 : random.weighted([[2, 0], [3, 1], [2, 2], [1, 3]]);
      return Array.from({ length }, () => valueOf(ctx, type.element, depth + 1));
    }
    case 'map': {
      const size = depth >= 3 ? 0 : random.weighted([[2, 0], [3, 1], [2, 2], [1, 3]]);
      return Object.fromEntries(Array.from({ length: size }, () => [randomKey(random), valueOf(ctx, type.value, depth + 1)] as const));
    }
  }
  throw new Error(`random value: unknown type ${JSON.stringify(type)}`);
}

/** A record: required fields always, optional ones half of the time (never beyond the depth limit). */
export function randomRecord(ctx: ValueContext, fields: readonly Field[], depth: number): { [key: string]: Json } {
  const entries: [string, Json][] = [];
  for (const field of fields) {
    if (field.optional && (depth >= 3 || ctx.random.chance(0.5))) {
      // Specs may spell an absent optional field as null (the checker accepts it).
      if (ctx.profile === 'spec' && ctx.random.chance(0.1)) entries.push([field.name, null]);
      continue;
    }
    entries.push([field.name, valueOf(ctx, field.type, depth)]);
  }
  return Object.fromEntries(entries);
}

export function randomPayload(aggregate: AggregateModel, fields: readonly Field[], random: Random): { [key: string]: Json } {
  return randomRecord({ aggregate, random, profile: 'payload' }, fields, 0);
}

function randomJson(ctx: ValueContext, depth: number): Json {
  const { random } = ctx;
  const scalars = ['null', 'boolean', 'number', 'string'] as const;
  const kind = depth >= 3 ? random.pick(scalars) : random.pick([...scalars, 'array', 'object'] as const);
  switch (kind) {
    case 'null':
      return null;
    case 'boolean':
      return random.chance(0.5);
    case 'number':
      return randomNumber(random);
    case 'string':
      return randomString(random, ctx.profile);
    case 'array':
      return Array.from({ length: random.int(0, 3) }, () => randomJson(ctx, depth + 1));
    case 'object':
      return Object.fromEntries(Array.from({ length: random.int(0, 3) }, () => [randomKey(random), randomJson(ctx, depth + 1)] as const));
  }
}

/** The zero value the generated code starts a required field from: '', 0, false, [], {}, null, the first enum value, a record of zero values. */
export function zeroValue(aggregate: AggregateModel, type: TypeExpr): Json {
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'integer':
        case 'number':
          return 0;
        case 'boolean':
          return false;
        case 'json':
          return null;
        default:
          return '';
      }
    case 'list':
      return [];
    case 'map':
      return {};
    case 'named': {
      const named = findType(aggregate, type.name);
      if (named.kind === 'enum') return named.values[0]!;
      return Object.fromEntries(named.fields.filter((f) => !f.optional).map((f) => [f.name, zeroValue(aggregate, f.type)]));
    }
  }
}
