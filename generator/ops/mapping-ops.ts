import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
/**
 * The read-model mapping operations (`on: { Event: { add: amount } }` and its siblings): one row
 * each, read by the checks (which fields an operation applies to, what its operand must fit), by
 * the read-model emitter (the call it writes), by the runtime (the helper it calls, in
 * runtime/codegen/mapping-ops.ts) and by the docs (docs/spec-reference.md, checked by a test).
 * Adding an operation: a row here, its helper in the runtime, its key in the spec schema, tests.
 */
import type { ValueHelper } from '../emit/value-expressions.js';
import { formatType } from '../ir/parse-expressions.js';
import { InternalError } from '../../runtime/errors.js';
import { propertyKey, stringLiteral } from '../emit/names.js';
import type { AggregateDef, ElementValue, KeyedListOp, MappingOp, ReadModelFieldDef, TypeRef, ValueExpr } from '../ir/types.js';
import { findType, isNumeric, isTemporal, typeFits } from '../validate/type-rules.js';

/** A problem with the field an operation targets. */
export interface FieldProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly hint: string;
}

/** What the emitter hands a row to write its expression. */
export interface OperationParts {
  /** The field on the row the event starts from: `row.total` (the stored row, or the initial one). */
  readonly field: string;
  /** The field on the stored row: `current?.total`, undefined when the row is new. */
  readonly stored: string;
  /** The operand, already written (absent for `increment`, whose operand is `by`). */
  readonly operand: string;
  /** The operand's spec type (undefined for constants and metadata). */
  readonly operandType: TypeRef | undefined;
  /** Whether the operand may be absent (an optional payload field): absent means no change. */
  readonly operandOptional: boolean;
  /** The target the operand was checked against (operandTarget). */
  readonly target: OperandTarget;
  /** Imports a runtime helper and returns its local name. */
  readonly helper: (name: RuntimeHelper) => string;
  /** The operation as the IR has it (keyed list operations read their key fields and rules from it). */
  readonly op: MappingOp;
  /** Writes the value of one element field of a keyed list operation (`sku: sku`; `item.sku` under `each`). */
  readonly element: (value: ElementValue) => string;
  /** `upsert` with `each`: the list written (`event.data.items`) and the parameter naming one entry (`_item` when the values written so far do not read it). */
  readonly each?: { readonly list: string; readonly entry: string };
}

/** What an operand must fit. `each`: the operand is a list appended element by element. */
export interface OperandTarget {
  readonly type: TypeRef;
  readonly optional: boolean;
  readonly name: string;
  readonly each?: boolean;
}

/** Helpers of runtime/codegen/mapping-ops.ts. */
export type RuntimeHelper = 'add' | 'subtract' | 'min' | 'max' | 'setOnce' | 'append' | 'appendAll' | 'upsertBy' | 'upsertEach' | 'removeBy' | 'decrementBy' | 'utc' | ValueHelper;

export interface MappingOpRow {
  /** How it is written in a spec. */
  readonly syntax: string;
  /** What it does, for the docs. */
  readonly doc: string;
  /** Runtime helpers it calls, for the docs. */
  readonly helpers: readonly RuntimeHelper[];
  /**
   * `expression`: a value read from the event or a constant; `number`: a constant number;
   * `elements`: values for fields of a list element (keyed list operations).
   */
  readonly operand: 'expression' | 'number' | 'elements';
  /** Why the operation cannot target this field, or undefined when it can. */
  readonly fieldProblem: (field: ReadModelFieldDef, aggregate: AggregateDef) => FieldProblem | undefined;
  /**
   * The type and optionality the operand must fit, and how to name that target in messages.
   * `operand` is the operand's type when it is read from the event (undefined for constants).
   */
  readonly operandTarget: (field: ReadModelFieldDef, operand: TypeRef | 'unchecked' | undefined, aggregate: AggregateDef) => OperandTarget;
  /** The expression of the field's new value. */
  readonly emit: (parts: OperationParts) => string;
}

const fieldName = (field: ReadModelFieldDef) => `\`${field.name}\``;
const numbersOnly = (op: string) => (field: ReadModelFieldDef): FieldProblem | undefined =>
  isNumeric(field.type) ? undefined : { code: 'ESG148', message: `\`${op}\` needs a number field, but ${fieldName(field)} is ${formatType(field.type)}`, hint: 'use `set` to replace the value, or change the field type' };
const ordered = (op: string) => (field: ReadModelFieldDef): FieldProblem | undefined =>
  isNumeric(field.type) || isTemporal(field.type)
    ? undefined
    : { code: 'ESG148', message: `\`${op}\` needs a number, date or datetime field, but ${fieldName(field)} is ${formatType(field.type)}`, hint: 'use `set` to replace the value, or change the field type' };
/** Operands of arithmetic and comparisons may be absent: absent changes nothing. */
const sameTypeMayBeAbsent = (field: ReadModelFieldDef) => ({ type: field.type, optional: true, name: fieldName(field) });
/** `min`/`max`/`setOnce` keep the field when the event has no value; the row's own value when the row is new. */
const keep = (compare: 'min' | 'max' | 'setOnce') => (parts: OperationParts) => {
  const picked = `${parts.helper(compare)}(${parts.stored}, ${parts.operand})`;
  return parts.operandOptional ? `${picked} ?? ${parts.field}` : picked;
};

/** Keyed list operations need a list of a record type: their keys and values name its fields. */
const recordList = (op: string) => (field: ReadModelFieldDef, aggregate: AggregateDef): FieldProblem | undefined => {
  const element = field.type.kind === 'array' && field.type.element.kind === 'named' ? findType(aggregate, field.type.element.name) : undefined;
  if (element?.kind === 'record' || (field.type.kind === 'array' && field.type.element.kind === 'named' && !element)) return undefined;
  return {
    code: 'ESG189',
    message: `\`${op}\` needs a list of records, but ${fieldName(field)} is ${formatType(field.type)}`,
    hint: 'declare a record type (`OrderLine: { sku: string, quantity: integer }`) and the field as a list of it (`OrderLine[]`)',
  };
};
/** The element operand of keyed list operations is checked field by field (check-read-models.ts). */
const elementsOf = (field: ReadModelFieldDef): OperandTarget => ({ type: field.type.kind === 'array' ? field.type.element : field.type, optional: true, name: `an element of ${fieldName(field)}` });
/** `{ sku: event.data.sku, quantity: … }`: the element fields an operation gives. */
const elementObject = (parts: OperationParts, values: readonly ElementValue[]) => `{ ${values.map((value) => `${propertyKey(value.field)}: ${parts.element(value)}`).join(', ')} }`;
const keyed = <K extends KeyedListOp['kind']>(parts: OperationParts, kind: K): Extract<KeyedListOp, { kind: K }> => {
  if (parts.op.kind !== kind) throw new InternalError(`the ${kind} row emitted a ${parts.op.kind} operation`);
  return parts.op as Extract<KeyedListOp, { kind: K }>;
};

export const mappingOpTable = {
  set: {
    syntax: '`from: Event.path`, a constant, `{ const: value }`, `{ set: expr }`',
    doc: 'replace the value',
    helpers: [],
    operand: 'expression',
    fieldProblem: () => undefined,
    operandTarget: (field) => ({ type: field.type, optional: field.optional, name: fieldName(field) }),
    emit: (parts) => parts.operand,
  },
  add: {
    syntax: '`{ add: expr }`',
    doc: 'add a number read from the event (number fields; an absent value adds nothing)',
    helpers: ['add'],
    operand: 'expression',
    fieldProblem: numbersOnly('add'),
    operandTarget: sameTypeMayBeAbsent,
    emit: (parts) => `${parts.helper('add')}(${parts.field}, ${parts.operand})`,
  },
  subtract: {
    syntax: '`{ subtract: expr }`',
    doc: 'subtract a number read from the event (number fields; an absent value subtracts nothing)',
    helpers: ['subtract'],
    operand: 'expression',
    fieldProblem: numbersOnly('subtract'),
    operandTarget: sameTypeMayBeAbsent,
    emit: (parts) => `${parts.helper('subtract')}(${parts.field}, ${parts.operand})`,
  },
  increment: {
    syntax: '`{ increment: n }`',
    doc: 'add a constant (number fields; whole numbers for integer fields)',
    helpers: ['add'],
    operand: 'number',
    fieldProblem: (field) =>
      isNumeric(field.type) ? undefined : { code: 'ESG149', message: `\`increment\` needs a number field, but ${fieldName(field)} is ${formatType(field.type)}`, hint: 'change the field type to `integer` or `number`' },
    operandTarget: (field) => ({ type: field.type, optional: false, name: fieldName(field) }),
    emit: (parts) => `${parts.helper('add')}(${parts.field}, ${parts.operand})`,
  },
  min: {
    syntax: '`{ min: expr }`',
    doc: "keep the smaller value (number, date and datetime fields; datetimes compare in UTC); a new row or an unset field takes the event's value",
    helpers: ['min', 'utc'],
    operand: 'expression',
    fieldProblem: ordered('min'),
    operandTarget: sameTypeMayBeAbsent,
    emit: keep('min'),
  },
  max: {
    syntax: '`{ max: expr }`',
    doc: "keep the larger value (number, date and datetime fields; datetimes compare in UTC); a new row or an unset field takes the event's value",
    helpers: ['max', 'utc'],
    operand: 'expression',
    fieldProblem: ordered('max'),
    operandTarget: sameTypeMayBeAbsent,
    emit: keep('max'),
  },
  setOnce: {
    syntax: '`{ setOnce: expr }`',
    doc: "keep the first value, by event order: a new row or an unset field takes the event's value, later events change nothing (an absent value changes nothing; datetimes in UTC)",
    helpers: ['setOnce', 'utc'],
    operand: 'expression',
    fieldProblem: () => undefined,
    operandTarget: sameTypeMayBeAbsent,
    emit: keep('setOnce'),
  },
  append: {
    syntax: '`{ append: expr }`',
    doc: 'append to a list field (a list whose elements fit the field\'s elements is appended element by element, any other value as one element)',
    helpers: ['append', 'appendAll'],
    operand: 'expression',
    fieldProblem: (field) =>
      field.type.kind === 'array' ? undefined : { code: 'ESG150', message: `\`append\` needs a list field, but ${fieldName(field)} is ${formatType(field.type)}`, hint: `declare it as \`${formatType(field.type)}[]\`` },
    // A list whose elements fit the field's elements is appended element by element; any other
    // value is one element (so `tags: string[]` appends each tag to a `string[]` field, and one
    // list to a `string[][]` field).
    operandTarget: (field, operand, aggregate) =>
      field.type.kind === 'array' && operand !== undefined && operand !== 'unchecked' && operand.kind === 'array' && typeFits(aggregate, operand.element, field.type.element)
        ? { type: field.type, optional: false, name: fieldName(field), each: true }
        : { type: field.type.kind === 'array' ? field.type.element : field.type, optional: false, name: `an element of ${fieldName(field)}` },
    emit: (parts) => `${parts.helper(parts.target.each ? 'appendAll' : 'append')}(${parts.field}, ${parts.operand})`,
  },
  upsert: {
    syntax: '`{ upsert: { key: [sku], values: { sku: sku, quantity: qty }, sum: [quantity], keep: [addedAt], each: items } }`',
    doc: 'insert an element into a list of records, or merge into the element with the same `key` fields: given fields replace (an absent value keeps the old one), `sum` fields add, `keep` fields keep the existing value; with `each`, once per entry of a payload list of records',
    helpers: ['upsertBy', 'upsertEach'],
    operand: 'elements',
    fieldProblem: recordList('upsert'),
    operandTarget: elementsOf,
    emit: (parts) => {
      const op = keyed(parts, 'upsert');
      const rules = [...op.sum.map((name) => `${propertyKey(name)}: 'sum'`), ...op.keep.map((name) => `${propertyKey(name)}: 'keep'`)];
      const tail = `[${op.key.map(stringLiteral).join(', ')}]${rules.length > 0 ? `, { ${rules.join(', ')} }` : ''}`;
      if (parts.each) {
        // The values first: the entry's parameter name depends on whether they read it.
        const element = elementObject(parts, op.values);
        return `${parts.helper('upsertEach')}(${parts.field}, ${parts.each.list}, (${parts.each.entry}) => (${element}), ${tail})`;
      }
      return `${parts.helper('upsertBy')}(${parts.field}, ${elementObject(parts, op.values)}, ${tail})`;
    },
  },
  removeBy: {
    syntax: '`{ removeBy: { sku: sku } }`',
    doc: 'remove the elements of a list of records whose fields equal the values (an absent value removes nothing)',
    helpers: ['removeBy'],
    operand: 'elements',
    fieldProblem: recordList('removeBy'),
    operandTarget: elementsOf,
    emit: (parts) => `${parts.helper('removeBy')}(${parts.field}, ${elementObject(parts, keyed(parts, 'removeBy').key)})`,
  },
  decrement: {
    syntax: '`{ decrement: { key: { sku: sku }, field: quantity, by: qty, removeAtZero: true } }`',
    doc: 'subtract `by` (default 1) from a number field of the elements whose fields equal `key`; with `removeAtZero`, an element at zero or below is removed (no match or an absent value changes nothing)',
    helpers: ['decrementBy'],
    operand: 'elements',
    fieldProblem: recordList('decrement'),
    operandTarget: elementsOf,
    emit: (parts) => {
      const op = keyed(parts, 'decrement');
      return `${parts.helper('decrementBy')}(${parts.field}, ${elementObject(parts, op.key)}, ${stringLiteral(op.field)}, ${parts.element(op.by)}, ${op.removeAtZero})`;
    },
  },
} as const satisfies Readonly<Record<string, MappingOpRow>>;

export type MappingOpName = keyof typeof mappingOpTable;

/** Operations on a list of records by key fields: their operands are element fields' values. */
export type KeyedOpName = 'upsert' | 'removeBy' | 'decrement';

/** Operations whose operand is one value expression (all but `increment` and the keyed list operations). */
export type OperandOpName = Exclude<MappingOpName, 'increment' | KeyedOpName>;

export function isKeyedOp(op: MappingOp): op is KeyedListOp {
  return op.kind === 'upsert' || op.kind === 'removeBy' || op.kind === 'decrement';
}

export const mappingOpNames = Object.keys(mappingOpTable) as readonly MappingOpName[];

export function mappingOp(name: MappingOpName): MappingOpRow {
  return mappingOpTable[name];
}

/**
 * One operation as text (`add event.amount`, `upsert key [sku] values { sku: event.sku } sum [quantity]`),
 * each value written by `valueText`: for the lock file and the domain catalogue.
 */
export function mappingOpText(op: MappingOp, valueText: (value: ValueExpr) => string): string {
  const elements = (values: readonly ElementValue[]) => `{ ${values.map((value) => `${value.field}: ${valueText(value.value)}`).join(', ')} }`;
  switch (op.kind) {
    case 'increment':
      return `increment ${op.by}`;
    case 'upsert':
      return `upsert ${op.each ? `each ${op.each.join('.')} ` : ''}key [${op.key.join(', ')}] values ${elements(op.values)}${op.sum.length > 0 ? ` sum [${op.sum.join(', ')}]` : ''}${op.keep.length > 0 ? ` keep [${op.keep.join(', ')}]` : ''}`;
    case 'removeBy':
      return `removeBy ${elements(op.key)}`;
    case 'decrement':
      return `decrement ${op.field} by ${valueText(op.by.value)} where ${elements(op.key)}${op.removeAtZero ? ' removeAtZero' : ''}`;
    default:
      return `${op.kind} ${valueText(op.value)}`;
  }
}
