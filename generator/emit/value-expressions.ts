/**
 * How a resolved value (typed IR) is written in generated code: a payload path, an envelope field
 * (through the envelope-field table), metadata or a constant. Used by aggregate appliers,
 * read-model rules and keys alike. The caller says which names hold the payload and the envelope;
 * each read records the name it used, so functions declare exactly the parameters they read.
 */
import { InternalError } from '../../runtime/errors.js';
import type { ArithmeticOp, EventDef, FieldDef, TypeRef, ValueExpr } from '../ir/types.js';
import { envelopeField, metadataRow } from '../ops/envelope-fields.js';
import { resolveValue, type ResolvedValue } from '../typed/typed-aggregate.js';
import { acceptsNull } from '../validate/type-rules.js';
import { stringLiteral } from './names.js';
import { type TypeScope, typeText } from './type-expressions.js';

export interface ValueSources {
  /** Expression of the typed payload (`data`, `event.data`) and the parameter it reads. */
  readonly payload: { readonly text: string; readonly root: string };
  /** Expression of the envelope or EventContext (`context`, `event`) and the parameter it reads. */
  readonly envelope: { readonly text: string; readonly root: string };
  readonly use: (root: string) => void;
  readonly event: EventDef;
  readonly scope: TypeScope;
  /** Imports a runtime helper of runtime/codegen/mapping-ops.ts and returns its local name. */
  readonly helper: (name: ValueHelper) => string;
}

/** Runtime helpers a value expression may call: `utc` for datetimes, the arithmetic of computed values. */
export type ValueHelper = 'utc' | (typeof arithmeticHelpers)[ArithmeticOp];

const arithmeticHelpers = { '+': 'plus', '-': 'minus', '*': 'times', '/': 'dividedBy' } as const satisfies Record<ArithmeticOp, string>;

export interface WrittenValue {
  readonly text: string;
  /** The spec type of the value; undefined for constants and metadata. */
  readonly type: TypeRef | undefined;
  /** Whether the value may be undefined. */
  readonly optional: boolean;
}

/** Writes a value that goes into a target of `target` type (metadata is taken as that type; `null` clears an optional target). */
export function writeValue(value: ResolvedValue, target: { readonly type: TypeRef; readonly optional: boolean }, sources: ValueSources): WrittenValue {
  switch (value.kind) {
    case 'unresolved':
      throw new InternalError(`an unresolved value reached the emitter (${value.message})`);
    case 'constant':
      // `null` clears an optional field: JSON state and rows have no nulls, the field is absent.
      if (value.value === null && target.optional && !acceptsNull(target.type)) return { text: 'undefined', type: undefined, optional: true };
      return { text: sources.scope.storedLiteral(value.value, target.type), type: undefined, optional: false };
    case 'read': {
      const expr = value.expr;
      if (expr.kind === 'event') {
        const text = payloadPath(expr.path, sources);
        // One datetime format in state and rows (issue 12): a payload datetime may carry any
        // offset and precision; stored values are UTC with milliseconds, as $occurredAt is.
        const type = value.type;
        const isDatetime = (candidate: TypeRef) => candidate.kind === 'primitive' && candidate.name === 'datetime';
        if (typeof type === 'object' && isDatetime(type)) return { text: `${sources.helper('utc')}(${text})`, type, optional: value.optional };
        if (typeof type === 'object' && type.kind === 'array' && isDatetime(type.element)) {
          return { text: `${text}${value.optional ? '?.' : '.'}map((at) => ${sources.helper('utc')}(at))`, type, optional: value.optional };
        }
        return { text, type: value.type as TypeRef, optional: value.optional };
      }
      if (expr.kind === 'computed') return { text: arithmeticText(expr, sources), type: value.type as TypeRef, optional: value.optional };
      sources.use(sources.envelope.root);
      if (expr.kind === 'metadata') return { text: metadataRow.read(sources.envelope.text, stringLiteral(expr.key), typeText(target.type)), type: undefined, optional: true };
      return { text: envelopeField(expr.field).read(sources.envelope.text), type: value.type as TypeRef, optional: value.optional };
    }
  }
}

/** `times(event.data.unitPrice, event.data.quantity)`: nested calls of the arithmetic helpers, operands read as numbers. */
function arithmeticText(expr: Extract<ValueExpr, { kind: 'computed' }>, sources: ValueSources): string {
  const side = (operand: ValueExpr): string => {
    if (operand.kind === 'computed') return arithmeticText(operand, sources);
    const resolved = resolveValue(sources.scope.aggregate, sources.event, operand);
    return writeValue(resolved, { type: { kind: 'primitive', name: 'number' }, optional: true }, sources).text;
  };
  return `${sources.helper(arithmeticHelpers[expr.op])}(${side(expr.left)}, ${side(expr.right)})`;
}

/** `data.address?.city`: optional-chained after every optional segment. */
function payloadPath(path: readonly string[], sources: ValueSources): string {
  sources.use(sources.payload.root);
  let fields: readonly FieldDef[] = sources.event.versions.at(-1)?.fields ?? [];
  let text = sources.payload.text;
  let optional = false;
  for (const segment of path) {
    const field = fields.find((candidate) => candidate.name === segment);
    if (!field) throw new InternalError(`${sources.event.name} has no field ${path.join('.')}`);
    text += `${optional ? '?.' : '.'}${segment}`;
    optional ||= field.optional;
    const named = field.type.kind === 'named' ? sources.scope.named(field.type.name) : undefined;
    fields = named?.kind === 'record' ? named.fields : [];
  }
  return text;
}

/**
 * Parameters of a generated function: each name it declares, `_`-prefixed when unused, and none
 * after the last used one (noUnusedParameters).
 */
export function parameterList(names: readonly string[], used: ReadonlySet<string>): string {
  let last = -1;
  names.forEach((name, index) => {
    if (used.has(name)) last = index;
  });
  return names
    .slice(0, last + 1)
    .map((name) => (used.has(name) ? name : `_${name}`))
    .join(', ');
}
