/**
 * The typed IR: every value expression of an aggregate resolved to its type, and every
 * declarative upcast step simulated, once. The annotations live beside the (frozen) IR nodes, in
 * maps keyed by node, the way source origins do. The semantic checks report the problems found
 * here; the emitters read the resolved types and simulations and never derive them again.
 */
import { InternalError } from '../../runtime/errors.js';
import type { AggregateDef, ApplyRule, EventDef, FieldDef, JsonValue, MappingRule, ReadModelKey, TypeRef, UpcastStep, ValueExpr } from '../ir/types.js';
import { envelopeField, metadataRow } from '../ops/envelope-fields.js';
import { simulateUpcast, type UpcastSimulation } from '../ops/upcast-ops.js';
import { eventPathType } from '../validate/type-rules.js';

/** A value expression with what it resolved to. */
export type ResolvedValue =
  /** Read from the event: its spec type (`unchecked` for metadata, which has no declared shape). */
  | { readonly kind: 'read'; readonly expr: Exclude<ValueExpr, { kind: 'const' }>; readonly type: TypeRef | 'unchecked'; readonly optional: boolean }
  | { readonly kind: 'constant'; readonly value: JsonValue }
  /** Does not resolve (unknown field): the checks report it; a valid domain has none. */
  | { readonly kind: 'unresolved'; readonly message: string; readonly hint?: string; readonly word?: string; readonly candidates?: readonly string[] };

export type KeySource = Extract<ReadModelKey, { kind: 'computed' }>['sources'][number];
export type DeclarativeStep = Extract<UpcastStep, { kind: 'declarative' }>;

export interface TypedAggregate {
  readonly aggregate: AggregateDef;
  event(name: string): EventDef | undefined;
  stateField(name: string): FieldDef | undefined;
  /** The value of an apply rule, the operand of a mapping rule (none for `increment` or an unknown event), a key source's value. */
  value(node: ApplyRule | MappingRule | KeySource): ResolvedValue | undefined;
  /** The map key of an apply rule with `entry:` (undefined for a rule on a whole field). */
  entryKey(rule: ApplyRule): ResolvedValue | undefined;
  /** The simulation of a declarative upcast step. */
  upcast(step: DeclarativeStep): UpcastSimulation;
  /** Public (published, with subjects and a typed consumer) or internal: see eventVisibility. */
  visibility(event: EventDef): Visibility;
  /** The public events, in spec order. */
  readonly publicEvents: readonly EventDef[];
}

export type Visibility = 'public' | 'internal';

/** The event's own `publish:`, else its aggregate's, else internal: events are private until a spec says otherwise. */
export function eventVisibility(aggregate: AggregateDef, event: EventDef): Visibility {
  return (event.publish ?? aggregate.publish ?? false) ? 'public' : 'internal';
}

/** Resolves a value read from `event` (current payload version). */
export function resolveValue(aggregate: AggregateDef, event: EventDef, expr: ValueExpr): ResolvedValue {
  switch (expr.kind) {
    case 'const':
      return { kind: 'constant', value: expr.value };
    case 'metadata':
      return { kind: 'read', expr, type: 'unchecked', optional: metadataRow.optional };
    case 'envelope': {
      const row = envelopeField(expr.field);
      return { kind: 'read', expr, type: row.type(aggregate), optional: row.optional };
    }
    case 'event': {
      const resolved = eventPathType(aggregate, event, expr.path);
      if (!resolved.ok) return { kind: 'unresolved', message: resolved.message, ...(resolved.hint ? { hint: resolved.hint } : {}), ...(resolved.word ? { word: resolved.word } : {}), ...(resolved.candidates ? { candidates: resolved.candidates } : {}) };
      return { kind: 'read', expr, type: resolved.value.type as TypeRef, optional: resolved.value.optional };
    }
  }
}

const typedAggregates = new WeakMap<AggregateDef, TypedAggregate>();

/** The typed IR of an aggregate, built once per (frozen) aggregate. */
export function typeAggregate(aggregate: AggregateDef): TypedAggregate {
  let typed = typedAggregates.get(aggregate);
  if (!typed) {
    typed = buildTyped(aggregate);
    if (Object.isFrozen(aggregate)) typedAggregates.set(aggregate, typed);
  }
  return typed;
}

function buildTyped(aggregate: AggregateDef): TypedAggregate {
  const events = new Map(aggregate.events.map((event) => [event.name, event]));
  const state = new Map(aggregate.state.map((field) => [field.name, field]));
  const values = new Map<object, ResolvedValue>();
  const entryKeys = new Map<ApplyRule, ResolvedValue>();
  const upcasts = new Map<object, UpcastSimulation>();

  for (const event of aggregate.events) {
    for (const rule of event.apply ?? []) {
      values.set(rule, resolveValue(aggregate, event, rule.value));
      if (rule.entry) entryKeys.set(rule, resolveValue(aggregate, event, rule.entry));
    }
    event.versions.forEach((version, index) => {
      const next = event.versions[index + 1];
      if (next && !next.retired && version.upcast?.kind === 'declarative') upcasts.set(version.upcast, simulateUpcast(aggregate, event, version, next, version.upcast));
    });
  }
  for (const model of aggregate.readModels) {
    for (const field of model.fields) {
      for (const rule of field.rules) {
        const event = events.get(rule.event);
        if (event && rule.op.kind !== 'increment') values.set(rule, resolveValue(aggregate, event, rule.op.value));
      }
    }
    if (model.key.kind === 'computed') {
      for (const source of model.key.sources) {
        const event = events.get(source.event);
        if (event) values.set(source, resolveValue(aggregate, event, source.value));
      }
    }
  }

  return {
    aggregate,
    event: (name) => events.get(name),
    stateField: (name) => state.get(name),
    value: (node) => values.get(node),
    entryKey: (rule) => entryKeys.get(rule),
    visibility: (event) => eventVisibility(aggregate, event),
    publicEvents: aggregate.events.filter((event) => eventVisibility(aggregate, event) === 'public'),
    upcast(step) {
      const simulation = upcasts.get(step);
      if (!simulation) throw new InternalError('an upcast step outside its aggregate');
      return simulation;
    },
  };
}
