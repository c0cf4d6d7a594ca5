/**
 * Payloads that are valid JavaScript values but not storable JSON: strings PostgreSQL cannot hold
 * (NUL, lone surrogates) in strings, map keys and json values, and NaN, ±Infinity or undefined
 * inside json values (JSON.stringify turns them into null or drops them, so the state in memory
 * and the state reloaded would differ). The runtime must refuse each with InvalidEvent.
 */
import { currentVersion, findType, type AggregateModel, type EventModel, type Field, type TypeExpr } from './domain-model.js';
import { randomPayload } from './random-values.js';
import type { Random } from './seeded-random.js';

/** Strings PostgreSQL refuses in text and jsonb: NUL (22P05), lone surrogates (invalid UTF-8 / escapes). */
export const unstorableStrings = ['a\u0000b', '\u0000', 'x\ud800', '\udc00y', 'broken pair \ud83d', '\udfff'];

/** json values JSON cannot represent faithfully. */
const unstorableJson: readonly (() => unknown)[] = [
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => [1, undefined, 2],
  () => [NaN],
  () => ({ n: Infinity }),
  () => [['deep', -Infinity]],
  () => 'nul \u0000 inside json',
  () => ({ ['k\ud800']: 1 }),
  () => ({ ok: ['\udc00'] }),
];

/** Numbers the validators already refuse: a control that the property can pass. */
const nonFiniteNumbers = [NaN, Infinity, -Infinity];

type Spot =
  | { readonly kind: 'string'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'mapKey'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'json'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'number'; readonly path: readonly (string | number)[] };

export interface HostilePayload {
  readonly event: EventModel;
  readonly payload: Record<string, unknown>;
  /** What was made hostile, and where (a JSON pointer). */
  readonly description: string;
  readonly kind: Spot['kind'];
}

/** A random valid payload of `event` with one hostile value put in; undefined when the payload has no place for one. */
export function hostilePayload(aggregate: AggregateModel, event: EventModel, random: Random): HostilePayload | undefined {
  const fields = currentVersion(event).fields;
  for (let attempt = 0; attempt < 5; attempt++) {
    const payload = randomPayload(aggregate, fields, random);
    const spots: Spot[] = [];
    collectRecord(aggregate, fields, payload, [], spots);
    if (spots.length === 0) continue;
    const spot = random.pick(spots);
    const pointer = `/${spot.path.join('/')}`;
    if (spot.kind === 'mapKey') {
      const map = at(payload, spot.path) as Record<string, unknown>;
      const key = random.pick(unstorableStrings);
      const [first] = Object.keys(map);
      const value = first === undefined ? undefined : map[first];
      if (value === undefined) continue;
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      return { event, payload, kind: spot.kind, description: `map key ${JSON.stringify(key)} at ${pointer}` };
    }
    const value = spot.kind === 'string' ? random.pick(unstorableStrings) : spot.kind === 'json' ? random.pick(unstorableJson)() : random.pick(nonFiniteNumbers);
    replace(payload, spot.path, value);
    return { event, payload, kind: spot.kind, description: `${spot.kind} ${describeValue(value)} at ${pointer}` };
  }
  return undefined;
}

function collectRecord(aggregate: AggregateModel, fields: readonly Field[], value: Record<string, unknown>, path: (string | number)[], spots: Spot[]): void {
  for (const field of fields) {
    if (!Object.hasOwn(value, field.name)) continue;
    collect(aggregate, field.type, value[field.name], [...path, field.name], spots);
  }
}

function collect(aggregate: AggregateModel, type: TypeExpr, value: unknown, path: (string | number)[], spots: Spot[]): void {
  switch (type.kind) {
    case 'primitive':
      if (type.name === 'string') spots.push({ kind: 'string', path });
      if (type.name === 'json') spots.push({ kind: 'json', path });
      if (type.name === 'number' || type.name === 'integer') spots.push({ kind: 'number', path });
      return;
    case 'named': {
      const named = findType(aggregate, type.name);
      if (named.kind === 'record') collectRecord(aggregate, named.fields, value as Record<string, unknown>, path, spots);
      return;
    }
    case 'list':
      (value as unknown[]).forEach((item, i) => collect(aggregate, type.element, item, [...path, i], spots));
      return;
    case 'map': {
      const map = value as Record<string, unknown>;
      if (Object.keys(map).length > 0) spots.push({ kind: 'mapKey', path });
      for (const key of Object.keys(map)) collect(aggregate, type.value, map[key], [...path, key], spots);
      return;
    }
  }
}

function at(root: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((value, segment) => (value as Record<string | number, unknown>)[segment], root);
}

function replace(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  const parent = at(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
}

/** Readable and ASCII-safe: JSON.stringify escapes NUL and lone surrogates; NaN, Infinity and undefined are named. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => describeValue(item)).join(', ')}]`;
  if (value && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${describeValue(v)}`).join(', ')} }`;
  return String(value);
}

/** Save metadata (free-form JSON) with one value JSON or PostgreSQL cannot store. */
export function hostileMetadata(random: Random): { value: Record<string, unknown>; description: string } {
  const roll = random.int(0, 2);
  if (roll === 0) {
    const value = random.pick(unstorableStrings);
    return { value: { note: value }, description: `value ${describeValue(value)}` };
  }
  if (roll === 1) {
    const key = random.pick(unstorableStrings);
    return { value: { [key]: 1 }, description: `key ${describeValue(key)}` };
  }
  const value = random.pick(unstorableJson)();
  return { value: { data: value }, description: `value ${describeValue(value)}` };
}
