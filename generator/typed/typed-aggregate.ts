/**
 * The typed IR: every value expression of an aggregate resolved to its type, and every
 * declarative upcast step simulated, once. The annotations live beside the (frozen) IR nodes, in
 * maps keyed by node, the way source origins do. The semantic checks report the problems found
 * here; the emitters read the resolved types and simulations and never derive them again.
 */
import { InternalError } from '../../runtime/errors.js';
import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, ApplyRule, ElementValue, EventDef, FieldDef, JsonValue, KeyedListOp, MappingRule, ReadModelKey, TypeRef, UpcastStep, ValueExpr } from '../ir/types.js';
import { envelopeField, metadataRow } from '../ops/envelope-fields.js';
import { isKeyedOp } from '../ops/mapping-ops.js';
import { simulateUpcast, type UpcastSimulation } from '../ops/upcast-ops.js';
import { eventPathType, isNumeric } from '../validate/type-rules.js';

/** A value expression with what it resolved to. */
export type ResolvedValue =
  /** Read from the event: its spec type (`unchecked` for metadata, which has no declared shape). */
  | { readonly kind: 'read'; readonly expr: Exclude<ValueExpr, { kind: 'const' }>; readonly type: TypeRef | 'unchecked'; readonly optional: boolean }
  | { readonly kind: 'constant'; readonly value: JsonValue }
  /** Does not resolve (unknown field): the checks report it; a valid domain has none. */
  | { readonly kind: 'unresolved'; readonly message: string; readonly hint?: string; readonly word?: string; readonly candidates?: readonly string[]; readonly code?: DiagnosticCode };

export type KeySource = Extract<ReadModelKey, { kind: 'computed' }>['sources'][number];
export type DeclarativeStep = Extract<UpcastStep, { kind: 'declarative' }>;

export interface TypedAggregate {
  readonly aggregate: AggregateDef;
  event(name: string): EventDef | undefined;
  stateField(name: string): FieldDef | undefined;
  /** The value of an apply rule, the operand of a mapping rule (none for `increment` or an unknown event), a key source's value. */
  /** The map key of an apply rule with `entry:` (undefined for a rule on a whole field). */
  entryKey(rule: ApplyRule): ResolvedValue | undefined;
  value(node: ApplyRule | MappingRule | KeySource | ElementValue): ResolvedValue | undefined;
  /** What `each` of an `upsert` rule reads: the list and, for a list of records, a pseudo event whose payload is one entry. */
  each(rule: MappingRule): EachEntries | undefined;
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
    case 'computed':
      return resolveArithmetic(aggregate, event, expr);
  }
}

const integer: TypeRef = { kind: 'primitive', name: 'integer' };
const number: TypeRef = { kind: 'primitive', name: 'number' };

/**
 * The type of `a * b` and friends: numbers only; integer with integer stays integer for `+ - *`,
 * any `/` or `number` operand gives a number. Absent when an operand may be absent, and for a
 * division (a zero divisor has no value).
 */
function resolveArithmetic(aggregate: AggregateDef, event: EventDef, expr: Extract<ValueExpr, { kind: 'computed' }>): ResolvedValue {
  const side = (operand: ValueExpr): ResolvedValue | { kind: 'number'; type: TypeRef; optional: boolean } => {
    const resolved = resolveValue(aggregate, event, operand);
    if (resolved.kind === 'unresolved') return resolved;
    if (resolved.kind === 'constant') {
      if (typeof resolved.value === 'number') return { kind: 'number', type: Number.isInteger(resolved.value) ? integer : number, optional: false };
      return notNumber(JSON.stringify(resolved.value));
    }
    if (resolved.type === 'unchecked') return notNumber(`\`${valueExprText(operand)}\` (metadata has no declared type)`);
    if (!isNumeric(resolved.type)) return notNumber(`\`${valueExprText(operand)}\` (${formatType(resolved.type)})`);
    return { kind: 'number', type: resolved.type, optional: resolved.optional };
  };
  const left = side(expr.left);
  if (left.kind !== 'number') return left as ResolvedValue;
  const right = side(expr.right);
  if (right.kind !== 'number') return right as ResolvedValue;
  const isInteger = expr.op !== '/' && isIntegerType(left.type) && isIntegerType(right.type);
  return { kind: 'read', expr, type: isInteger ? integer : number, optional: left.optional || right.optional || expr.op === '/' };
}

function isIntegerType(type: TypeRef): boolean {
  return type.kind === 'primitive' && type.name === 'integer';
}

function notNumber(what: string): ResolvedValue {
  return { kind: 'unresolved', code: 'ESG188', message: `a computed value is arithmetic over numbers, but ${what} is not a number`, hint: 'use number or integer fields, `$version`, and number literals' };
}

/** `(price - discount) * quantity`: a value expression as a spec writes it, for messages, docs and the lock file. */
export function valueExprText(expr: ValueExpr): string {
  switch (expr.kind) {
    case 'event':
      return expr.path.join('.');
    case 'envelope':
      return `$${expr.field}`;
    case 'metadata':
      return `$metadata.${expr.key}`;
    case 'const':
      return JSON.stringify(expr.value);
    case 'computed': {
      const operand = (side: ValueExpr) => (side.kind === 'computed' ? `(${valueExprText(side)})` : valueExprText(side));
      return `${operand(expr.left)} ${expr.op} ${operand(expr.right)}`;
    }
  }
}

/** `each: items` of an upsert: a list of records (`entries`, with a pseudo event whose payload fields are an entry's), or why not. */
export type EachEntries =
  | { readonly kind: 'entries'; readonly list: ResolvedValue & { kind: 'read' }; readonly record: string; readonly entry: EventDef }
  | { readonly kind: 'problem'; readonly message: string; readonly hint?: string; readonly code: DiagnosticCode; readonly candidates?: readonly string[]; readonly word?: string };

function eachEntries(aggregate: AggregateDef, event: EventDef, path: readonly string[]): EachEntries {
  // An empty path: `each` did not parse, which the IR builder reported.
  if (path.length === 0) return { kind: 'problem', code: 'ESG166', message: '' };
  const resolved = eventPathType(aggregate, event, path);
  if (!resolved.ok) return { kind: 'problem', code: 'ESG137', message: resolved.message, ...(resolved.hint ? { hint: resolved.hint } : {}), ...(resolved.candidates ? { candidates: resolved.candidates } : {}), ...(resolved.word ? { word: resolved.word } : {}) };
  const type = resolved.value.type as TypeRef;
  const record = type.kind === 'array' && type.element.kind === 'named' ? aggregate.types.find((candidate) => candidate.name === (type.element as { name: string }).name) : undefined;
  if (record?.kind !== 'record') {
    return { kind: 'problem', code: 'ESG166', message: `\`each: ${path.join('.')}\` must be a list of records of \`${event.name}\`, but it is ${formatType(type)}`, hint: 'name a list of a record type, such as `items: OrderItem[]`' };
  }
  const current = event.versions.at(-1)!;
  // Named after the record, so "has no field" messages about `values` name the entry's type.
  const entry: EventDef = { ...event, name: record.name, versions: [...event.versions.slice(0, -1), { ...current, fields: record.fields }] };
  return { kind: 'entries', list: { kind: 'read', expr: { kind: 'event', path }, type, optional: resolved.value.optional }, record: record.name, entry };
}

/** Every element value of a keyed list operation: the values (or key) and a decrement's `by`. */
export function elementValuesOf(op: KeyedListOp): readonly ElementValue[] {
  switch (op.kind) {
    case 'upsert':
      return op.values;
    case 'removeBy':
      return op.key;
    case 'decrement':
      return [...op.key, op.by];
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
  const eaches = new Map<MappingRule, EachEntries>();

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
        if (!event || rule.op.kind === 'increment') continue;
        if (isKeyedOp(rule.op)) {
          // `upsert` with `each`: values read an entry of that list (a record), so they resolve against its fields.
          const each = rule.op.kind === 'upsert' && rule.op.each !== undefined ? eachEntries(aggregate, event, rule.op.each) : undefined;
          if (each) eaches.set(rule, each);
          if (each && each.kind !== 'entries') continue;
          for (const element of elementValuesOf(rule.op)) values.set(element, resolveValue(aggregate, each?.entry ?? event, element.value));
        } else values.set(rule, resolveValue(aggregate, event, rule.op.value));
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
    each: (rule) => eaches.get(rule),
    visibility: (event) => eventVisibility(aggregate, event),
    publicEvents: aggregate.events.filter((event) => eventVisibility(aggregate, event) === 'public'),
    upcast(step) {
      const simulation = upcasts.get(step);
      if (!simulation) throw new InternalError('an upcast step outside its aggregate');
      return simulation;
    },
  };
}
