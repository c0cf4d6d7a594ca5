/**
 * What a random domain means, computed from the model without generated code: the initial state,
 * the state after each event (declarative `apply` rules as docs/spec-reference.md describes them,
 * and the harness's own handlers), and old payloads upcast to the current version (declarative
 * steps, and the harness's custom steps). The runtime round trip compares generated code with it.
 *
 * Spec constants mean what the reference says: `null` for an optional field means "absent",
 * inside value types too, except for json fields, where null is a value (the JSON null); json
 * values are taken as they are.
 */
import { currentVersion, findType, type AggregateModel, type ApplyRule, type EventModel, type Field, type Json, type TypeExpr, type ValueSource } from './domain-model.js';
import { sameType, sourceType } from './model-type-rules.js';
import { zeroValue } from './random-values.js';

export type State = Record<string, unknown>;

const isJson = (type: TypeExpr) => type.kind === 'primitive' && type.name === 'json';

/** The stored envelope values an event is applied with. */
export interface OracleEnvelope {
  readonly eventId: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly occurredAt: Date;
}

/** A spec constant as the value it stands for: optional record fields given as null are absent. */
export function constantValue(aggregate: AggregateModel, type: TypeExpr, value: Json): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'primitive':
      return structuredClone(value);
    case 'list':
      return (value as Json[]).map((item) => constantValue(aggregate, type.element, item));
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, item]) => [k, constantValue(aggregate, type.value, item)]));
    case 'named': {
      const named = findType(aggregate, type.name);
      if (named.kind === 'enum') return value;
      const record = value as Record<string, Json>;
      const entries: [string, unknown][] = [];
      for (const field of named.fields) {
        if (!Object.hasOwn(record, field.name)) continue;
        const item = record[field.name]!;
        if (item === null && field.optional && !isJson(field.type)) continue;
        entries.push([field.name, constantValue(aggregate, field.type, item)]);
      }
      return Object.fromEntries(entries);
    }
  }
}

/**
 * A value as state stores it: every datetime (nested ones included) as UTC with milliseconds
 * (docs/spec-reference.md, "One datetime format"). For constants, which the generator writes
 * that way.
 */
export function storedValue(aggregate: AggregateModel, type: TypeExpr, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type.kind) {
    case 'primitive':
      return type.name === 'datetime' && typeof value === 'string' ? new Date(value).toISOString() : value;
    case 'list':
      return Array.isArray(value) ? value.map((item) => storedValue(aggregate, type.element, item)) : value;
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, item]) => [k, storedValue(aggregate, type.value, item)]));
    case 'named': {
      const named = findType(aggregate, type.name);
      if (named.kind === 'enum') return value;
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, item]) => {
          const field = named.fields.find((f) => f.name === k);
          return [k, field === undefined ? item : storedValue(aggregate, field.type, item)];
        }),
      );
    }
  }
}

/** A payload value read into state: a datetime, or a list of datetimes, in UTC with milliseconds (nested ones as sent). */
function storedPayloadValue(type: TypeExpr, value: unknown): unknown {
  const datetime = (t: TypeExpr) => t.kind === 'primitive' && t.name === 'datetime';
  if (datetime(type) && typeof value === 'string') return new Date(value).toISOString();
  if (type.kind === 'list' && datetime(type.element) && Array.isArray(value)) return value.map((item) => new Date(item as string).toISOString());
  return value;
}

export function initialState(aggregate: AggregateModel): State {
  const state: State = {};
  for (const field of aggregate.state) {
    if (field.default !== undefined) {
      if (field.default !== null || isJson(field.type)) state[field.name] = storedValue(aggregate, field.type, constantValue(aggregate, field.type, field.default));
    } else if (!field.optional) state[field.name] = zeroValue(aggregate, field.type);
  }
  return state;
}

function readPath(payload: unknown, path: readonly string[]): unknown {
  let value = payload;
  for (const segment of path) {
    if (value === undefined || value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function sourceValue(aggregate: AggregateModel, event: EventModel, source: ValueSource, target: Field, payload: unknown, envelope: OracleEnvelope): unknown {
  switch (source.kind) {
    case 'event':
      // A payload datetime is stored in the one form whatever the target (a `json` field too): by its own type.
      return storedPayloadValue(sourceType(aggregate, event, source).type, structuredClone(readPath(payload, source.path)));
    case 'envelope':
      return source.field === 'occurredAt' ? envelope.occurredAt.toISOString() : envelope[source.field];
    case 'const':
      return source.value === null && !isJson(target.type) ? undefined : storedValue(aggregate, target.type, constantValue(aggregate, target.type, source.value));
  }
}

/**
 * The new value of a rule's target (docs/spec-reference.md, "Apply operations"): the value; the
 * field plus or minus it (unset counts as 0, an absent value as 0); or the map with one entry set,
 * added to (missing counts as 0, absent amount: no change) or removed (none: no change).
 */
function ruleValue(aggregate: AggregateModel, event: EventModel, rule: ApplyRule, target: Field, state: State, payload: unknown, envelope: OracleEnvelope): unknown {
  const current = state[rule.target];
  if (rule.entry) {
    const map = current as Record<string, unknown> | undefined;
    const key = rule.entry.kind === 'event' ? (readPath(payload, rule.entry.path) as string) : rule.entry.kind === 'envelope' ? String(envelope[rule.entry.field as 'aggregateId' | 'eventId']) : '';
    if (rule.op === 'remove') {
      if (map === undefined || !Object.hasOwn(map, key)) return map;
      const copy = { ...map };
      delete copy[key];
      return copy;
    }
    const valueField: Field = { name: target.name, type: (target.type as Extract<TypeExpr, { kind: 'map' }>).value, optional: rule.op !== undefined };
    const value = sourceValue(aggregate, event, rule.value, valueField, payload, envelope);
    if (rule.op === undefined) return { ...map, [key]: value };
    if (value === undefined) return map;
    const entry = map !== undefined && Object.hasOwn(map, key) ? (map[key] as number) : 0;
    return { ...map, [key]: entry + (rule.op === 'add' ? (value as number) : -(value as number)) };
  }
  if (rule.op === 'add' || rule.op === 'subtract') {
    const value = (sourceValue(aggregate, event, rule.value, { ...target, optional: true }, payload, envelope) as number | undefined) ?? 0;
    return ((current as number | undefined) ?? 0) + (rule.op === 'add' ? value : -value);
  }
  return sourceValue(aggregate, event, rule.value, target, payload, envelope);
}

/** The state after `event` (payload at its current version) was applied to `state`. */
export function applyEvent(aggregate: AggregateModel, state: State, event: EventModel, payload: unknown, envelope: OracleEnvelope): State {
  const next: State = { ...state };
  const set = (target: string, value: unknown) => {
    if (value === undefined) delete next[target];
    else next[target] = value;
  };
  // Every rule reads the state before the event (the generated applier returns them in one patch).
  for (const rule of event.apply ?? []) {
    const target = aggregate.state.find((f) => f.name === rule.target)!;
    set(rule.target, ruleValue(aggregate, event, rule, target, state, payload, envelope));
  }
  if (event.apply && !event.handler) return next;
  // The harness's handler (user-code.ts): one patchState with every planned change, after the
  // rules when there are any (`handler: true`), reading the state they left.
  const base: State = { ...next };
  for (const patch of event.handler ?? []) {
    switch (patch.kind) {
      case 'payload': {
        const value = readPath(payload, [patch.field]);
        if (patch.fallback !== undefined) set(patch.target, structuredClone(value ?? patch.fallback));
        else if (value !== undefined) set(patch.target, structuredClone(value));
        break;
      }
      case 'context':
        set(patch.target, patch.field === 'occurredAt' ? envelope.occurredAt.toISOString() : envelope[patch.field]);
        break;
      case 'const':
        set(patch.target, structuredClone(patch.value));
        break;
      case 'count':
        set(patch.target, ((base[patch.target] as number | undefined) ?? 0) + 1);
        break;
    }
  }
  return next;
}

/** How the harness's custom upcast step fills one field of the next version (see user-code.ts). */
export type CarryPlan =
  | { readonly kind: 'copy' }
  | { readonly kind: 'copyIfPresent' }
  | { readonly kind: 'copyOrFill'; readonly fill: Json }
  | { readonly kind: 'fill'; readonly fill: Json }
  | { readonly kind: 'absent' };

export function carryField(aggregate: AggregateModel, from: readonly Field[], field: Field): CarryPlan {
  const source = from.find((f) => f.name === field.name && sameType(f.type, field.type));
  if (source && field.optional) return { kind: 'copyIfPresent' };
  if (source && !source.optional) return { kind: 'copy' };
  if (source) return { kind: 'copyOrFill', fill: fillValue(aggregate, field.type) };
  return field.optional ? { kind: 'absent' } : { kind: 'fill', fill: fillValue(aggregate, field.type) };
}

/** A fixed valid value of a type (zero values, but well-formed uuids, dates and datetimes). */
export function fillValue(aggregate: AggregateModel, type: TypeExpr): Json {
  if (type.kind === 'primitive') {
    if (type.name === 'uuid') return '00000000-0000-4000-8000-000000000000';
    if (type.name === 'date') return '2000-01-01';
    if (type.name === 'datetime') return '2000-01-01T00:00:00Z';
  }
  if (type.kind === 'named') {
    const named = findType(aggregate, type.name);
    if (named.kind === 'record') return Object.fromEntries(named.fields.filter((f) => !f.optional).map((f) => [f.name, fillValue(aggregate, f.type)]));
  }
  return zeroValue(aggregate, type);
}

/** A payload stored at `fromVersion`, taken to the current version. */
export function upcastPayload(aggregate: AggregateModel, event: EventModel, fromVersion: number, data: unknown): Record<string, unknown> {
  let payload = structuredClone(data) as Record<string, unknown>;
  for (let v = fromVersion; v < currentVersion(event).version; v++) {
    const version = event.versions[v - 1]!;
    const next = event.versions[v]!;
    const upcast = version.upcast!;
    if (upcast.kind === 'custom') {
      const out: Record<string, unknown> = {};
      for (const field of next.fields) {
        const plan = carryField(aggregate, version.fields, field);
        const value = payload[field.name];
        if (plan.kind === 'copy') out[field.name] = value;
        else if (plan.kind === 'copyIfPresent' && value !== undefined) out[field.name] = value;
        else if (plan.kind === 'copyOrFill') out[field.name] = value ?? plan.fill;
        else if (plan.kind === 'fill') out[field.name] = plan.fill;
      }
      payload = out;
      continue;
    }
    for (const [from, to] of upcast.rename) {
      if (Object.hasOwn(payload, from)) payload[to] = payload[from];
      delete payload[from];
    }
    for (const name of upcast.remove) delete payload[name];
    for (const [name, value] of upcast.add) {
      const field = next.fields.find((f) => f.name === name)!;
      if (value === null && !isJson(field.type)) delete payload[name];
      else payload[name] = constantValue(aggregate, field.type, value);
    }
  }
  return payload;
}
