import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, ElementValue, FieldDef, KeyedListOp, MappingRule, ReadModelDef, ReadModelFieldDef, TypeRef, ValueExpr } from '../ir/types.js';
import type { CheckContext } from './check-context.js';
import { checkFit } from './check-fit.js';
import { isKeyedOp, mappingOp } from '../ops/mapping-ops.js';
import { type ResolvedValue, typeAggregate, valueExprText } from '../typed/typed-aggregate.js';
import { acceptsNull, constantMismatch, enumValues, findType, isNumeric, isScalar, isTemporal } from './type-rules.js';

/**
 * Read models react to known events of their own aggregate, with operations that fit their fields
 * and a computable key. `eventOwner` finds the aggregate of an event that is not the read model's
 * own (to say which aggregate it belongs to).
 */
export function checkReadModels(ctx: CheckContext, eventOwner: (event: string) => AggregateDef | undefined): void {
  for (const aggregate of ctx.aggregates) {
    const ownEvents = aggregate.events.map((e) => e.name);
    for (const model of aggregate.readModels) {
      const unknown = new Set<string>();
      const checkEvent = (event: string, node: object, below: (string | number)[], part: 'key' | 'value') => {
        if (ownEvents.includes(event)) return true;
        unknown.add(event);
        const owner = eventOwner(event);
        if (owner) {
          ctx.report({
            code: 'ESG151',
            node,
            below,
            part,
            message: `\`${event}\` is an event of \`${owner.name}\`; the read model \`${model.name}\` belongs to \`${aggregate.name}\` and can only react to its events`,
            hint: `declare the read model in ${owner.file}, or react to an event of \`${aggregate.name}\``,
          });
        } else if (aggregate.retiredEvents?.some((retired) => retired.name === event)) {
          // Retired events are never read again, so a rule for one would never run.
          ctx.report({ code: 'ESG136', node, below, part, message: `\`${event}\` is retired (\`retired: true\`): no event of it is read any more`, hint: 'remove this rule, or un-retire the event' });
        } else {
          ctx.report({ code: 'ESG136', node, below, part, message: `unknown event \`${event}\``, hint: suggestion(event, ownEvents, `events of \`${aggregate.name}\``) });
        }
        return false;
      };

      for (const field of model.fields) {
        // Queries return each row with its row id as `id`; a field of that name would shadow it.
        if (field.name === 'id') {
          ctx.report({
            code: 'ESG159',
            node: field,
            part: 'key',
            message: `\`${model.name}\` has a field named \`id\`, but every row already has an id (the aggregate id, or the \`key\`), returned as \`id\` by queries`,
            hint: 'remove the field, or give it another name such as `orderId`',
          });
        }
        const seen = new Set<string>();
        for (const rule of field.rules) {
          const isFrom = isFromRule(ctx, rule);
          if (!checkEvent(rule.event, rule, [], isFrom ? 'value' : 'key')) continue;
          if (seen.has(rule.event)) {
            ctx.report({ code: 'ESG153', node: rule, part: isFrom ? 'value' : 'key', message: `\`${field.name}\` already has a rule for \`${rule.event}\``, hint: 'keep one rule per event per field (`from` and `on` both count)' });
            continue;
          }
          seen.add(rule.event);
          checkRule(ctx, aggregate, field, rule);
        }
        // Only a custom mapper could set a field without rules; without one, a required field
        // without a default would be missing from every row.
        const hasRules = field.rules.length > 0 || ctx.written(field, ['from']) || ctx.written(field, ['on']);
        if (!hasRules && model.customOn.length === 0 && !field.optional && field.default === undefined) {
          ctx.report({
            code: 'ESG158',
            node: field,
            part: 'key',
            message: `\`${field.name}\` of \`${model.name}\` is never set: it has no \`from\` or \`on\` rule, no default, and the read model has no custom mapper`,
            hint: 'add `from: Event.field`, `on: { Event: ... }` or a `default`, or make it optional',
          });
        }
        if ((field.index || field.unique) && !isScalar(aggregate, field.type)) {
          ctx.report({ code: 'ESG155', node: field, below: [field.unique ? 'unique' : 'index'], part: 'key', message: `\`${field.name}\` is ${formatType(field.type)}; only scalar fields can be indexed`, hint: 'index a string, number, boolean, uuid, date, datetime or enum field' });
        }
      }
      model.deleteOn.forEach((event, i) => checkEvent(event, model, ['delete', i], 'value'));
      model.customOn.forEach((event, i) => checkEvent(event, model, ['custom', i], 'value'));
      checkDeletes(ctx, model);
      checkKey(ctx, aggregate, model, unknown);
    }
  }
}

/**
 * An event that deletes the row cannot also update it: the row is gone, so its field rules and
 * custom mapper would never run (or, run first, would be written and deleted in one step). Which
 * one was meant is the user's call, so it is an error rather than a silent precedence.
 */
function checkDeletes(ctx: CheckContext, model: ReadModelDef): void {
  model.deleteOn.forEach((event, i) => {
    const custom = model.customOn.includes(event);
    const fields = model.fields.filter((field) => field.rules.some((rule) => rule.event === event)).map((field) => `\`${field.name}\``);
    if (!custom && fields.length === 0) return;
    const updates = [...(custom ? ['a custom mapper (`custom`)'] : []), ...(fields.length > 0 ? [`rules of ${fields.join(', ')}`] : [])].join(' and ');
    ctx.report({
      code: 'ESG162',
      node: model,
      below: ['delete', i],
      part: 'value',
      message: `\`${event}\` deletes rows of \`${model.name}\`, but ${updates} also update${custom && fields.length === 0 ? 's' : ''} them for it`,
      hint: `remove \`${event}\` from \`delete\` to update the row, or drop its ${custom ? '`custom` entry' : ''}${custom && fields.length > 0 ? ' and ' : ''}${fields.length > 0 ? 'field rules' : ''} to delete it; a custom mapper can also delete a row itself`,
    });
  });
}

/** `from:` rules are recorded at the source string (`…from` or `…from[i]`); `on:` rules at `…on.Event`. */
function isFromRule(ctx: CheckContext, rule: MappingRule): boolean {
  return ctx.pathOf(rule).at(-2) !== 'on';
}

function checkRule(ctx: CheckContext, aggregate: AggregateDef, field: ReadModelFieldDef, rule: MappingRule): void {
  const op = rule.op;
  const row = mappingOp(op.kind);
  // The operand sits under the operation's key (`{ add: x }`, `{ const: x }`); for a scalar
  // (`on: { E: paid }`) or a `from:` string the locator stops at the scalar itself.
  const operandPath = op.kind === 'set' && op.value.kind === 'const' ? ['const'] : [op.kind];
  const problem = row.fieldProblem(field, aggregate);
  if (problem) {
    ctx.report({ ...problem, node: rule, below: [op.kind], part: 'key' });
    return;
  }
  if (isKeyedOp(op)) return checkKeyedOp(ctx, aggregate, field, rule, op);
  if (op.kind === 'increment') {
    if (field.type.kind === 'primitive' && field.type.name === 'integer' && !Number.isInteger(op.by)) {
      ctx.report({ code: 'ESG143', node: rule, below: ['increment'], message: `\`${field.name}\` is an integer, so it cannot be incremented by ${op.by}`, hint: 'use a whole number or make the field `number`' });
    }
    return;
  }
  const resolved = typeAggregate(aggregate).value(rule);
  if (resolved === undefined) return;
  const target = row.operandTarget(field, resolved.kind === 'read' ? resolved.type : undefined, aggregate);
  if (resolved.kind === 'unresolved') {
    ctx.report({
      code: resolved.code ?? 'ESG137',
      node: rule,
      below: operandPath,
      message: resolved.message,
      hint: resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, `fields of \`${rule.event}\``) : resolved.hint,
    });
    return;
  }
  if (resolved.kind === 'constant') return checkConstant(ctx, aggregate, rule, resolved.value, target, target.name, operandPath);
  if (resolved.optional && !target.optional && hasDivision(resolved.expr)) {
    ctx.report({
      code: 'ESG144',
      node: rule,
      below: operandPath,
      message: `a division has no value when its divisor is 0, but ${target.name} is not optional`,
      hint: 'make the field optional (`T?`), or use an operation that treats an absent value as no change (`add`, `subtract`, `min`, `max`, `setOnce`)',
    });
    return;
  }
  if (computedNumberIntoInteger(ctx, rule, resolved, target, operandPath)) return;
  checkFit(ctx, aggregate, rule, resolved, target, target.name, operandPath);
}

/**
 * `upsert`, `removeBy`, `decrement` on a list of records: every field they name is a field of the
 * element record (keys scalar, `sum` and `decrement` on numbers), every value fits its element
 * field, and an upsert gives every required field (it may insert the element).
 */
function checkKeyedOp(ctx: CheckContext, aggregate: AggregateDef, field: ReadModelFieldDef, rule: MappingRule, op: KeyedListOp): void {
  const row = mappingOp(op.kind);
  const problem = row.fieldProblem(field, aggregate);
  if (problem) {
    ctx.report({ ...problem, node: rule, below: [op.kind], part: 'key' });
    return;
  }
  const elementType = field.type.kind === 'array' && field.type.element.kind === 'named' ? findType(aggregate, field.type.element.name) : undefined;
  // An undeclared element type is reported by the type checks (ESG135).
  if (elementType?.kind !== 'record') return;
  const record = elementType.name;
  const elementFields = elementType.fields;
  const unknownField = (name: string, below: (string | number)[], part: 'key' | 'value'): FieldDef | undefined => {
    const found = elementFields.find((candidate) => candidate.name === name);
    if (!found) {
      ctx.report({
        code: 'ESG190',
        node: rule,
        below,
        part,
        message: `\`${record}\` (the elements of \`${field.name}\`) has no field \`${name}\``,
        hint: suggestion(name, elementFields.map((candidate) => candidate.name), `fields of \`${record}\``),
      });
    }
    return found;
  };
  const scalarKey = (element: FieldDef, below: (string | number)[], part: 'key' | 'value') => {
    if (isScalar(aggregate, element.type)) return;
    ctx.report({ code: 'ESG190', node: rule, below, part, message: `\`${element.name}\` of \`${record}\` is ${formatType(element.type)}, which cannot be a key`, hint: 'key on a string, number, uuid, date, datetime or enum field' });
  };
  const numberField = (element: FieldDef, what: string, below: (string | number)[], part: 'key' | 'value') => {
    if (isNumeric(element.type)) return;
    ctx.report({ code: 'ESG190', node: rule, below, part, message: `${what} needs a number field, but \`${element.name}\` of \`${record}\` is ${formatType(element.type)}`, hint: 'use an `integer` or `number` field of the element' });
  };
  /** A value for an element field: resolves, and fits its type (may be absent unless `required`). */
  const checkValue = (value: ElementValue, element: FieldDef, required: boolean) => {
    const resolved = typeAggregate(aggregate).value(value);
    if (resolved === undefined) return;
    const target = { type: element.type, optional: !required, name: `\`${element.name}\` of \`${record}\`` };
    if (resolved.kind === 'unresolved') {
      const each = typeAggregate(aggregate).each(rule);
      const source = each?.kind === 'entries' ? `fields of \`${each.record}\` (an entry of \`each\`)` : `fields of \`${rule.event}\``;
      ctx.report({ code: resolved.code ?? 'ESG137', node: value, message: resolved.message, hint: resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, source) : resolved.hint });
      return;
    }
    if (resolved.kind === 'constant') return checkConstant(ctx, aggregate, value, resolved.value, target, target.name, []);
    if (required && resolved.optional && hasDivision(resolved.expr)) {
      ctx.report({ code: 'ESG144', node: value, message: `a division has no value when its divisor is 0, but ${target.name} is required`, hint: 'make the element field optional (`T?`)' });
      return;
    }
    if (computedNumberIntoInteger(ctx, value, resolved, target, [])) return;
    checkFit(ctx, aggregate, value, resolved, target, target.name);
  };
  /** Values given by name: each names an element field, which must be a scalar when it is a key. */
  const checkValues = (values: readonly ElementValue[], asKey: boolean, required: (element: FieldDef) => boolean) => {
    for (const value of values) {
      const element = unknownField(value.field, ctx.pathOf(value).slice(ctx.pathOf(rule).length), 'key');
      if (!element) continue;
      if (asKey) scalarKey(element, ctx.pathOf(value).slice(ctx.pathOf(rule).length), 'key');
      checkValue(value, element, required(element));
    }
  };

  switch (op.kind) {
    case 'upsert': {
      const each = typeAggregate(aggregate).each(rule);
      if (each?.kind === 'problem' && each.message !== '') {
        ctx.report({
          code: each.code,
          node: rule,
          below: ['upsert', 'each'],
          message: each.message,
          hint: each.candidates ? suggestion(each.word ?? '', each.candidates, `fields of \`${rule.event}\``) : each.hint,
        });
      }
      const given = new Set(op.values.map((value) => value.field));
      op.key.forEach((name, i) => {
        const element = unknownField(name, ['upsert', 'key', i], 'value');
        if (!element) return;
        scalarKey(element, ['upsert', 'key', i], 'value');
        if (!given.has(name)) ctx.report({ code: 'ESG191', node: rule, below: ['upsert', 'key', i], message: `the key field \`${name}\` has no value in \`values\`, so the element to merge into cannot be found`, hint: `add \`${name}: <field of ${rule.event}>\` to \`values\`` });
      });
      // A value of a required field goes into a new element as it is, so it must be present.
      checkValues(op.values, false, (element) => !element.optional);
      const ruled = new Map<string, string>();
      for (const [rule_, names] of [['sum', op.sum], ['keep', op.keep]] as const) {
        names.forEach((name, i) => {
          const below = ['upsert', rule_, i];
          const element = unknownField(name, below, 'value');
          if (!element) return;
          if (op.key.includes(name)) {
            ctx.report({ code: 'ESG190', node: rule, below, message: `\`${name}\` is a key field: elements merge because it is equal, so it cannot be under \`${rule_}\``, hint: `remove \`${name}\` from \`${rule_}\`` });
          } else if (ruled.has(name)) {
            ctx.report({ code: 'ESG190', node: rule, below, message: `\`${name}\` is under both \`${ruled.get(name)}\` and \`${rule_}\``, hint: 'give each field one rule' });
          } else if (rule_ === 'sum' && !given.has(name)) {
            ctx.report({ code: 'ESG190', node: rule, below, message: `\`${name}\` is summed but has no value in \`values\``, hint: `add \`${name}: <field of ${rule.event}>\` to \`values\`` });
          } else if (rule_ === 'sum') numberField(element, '`sum`', below, 'value');
          ruled.set(name, rule_);
        });
      }
      const missing = elementFields.filter((element) => !element.optional && !given.has(element.name)).map((element) => `\`${element.name}\``);
      if (missing.length > 0) {
        ctx.report({
          code: 'ESG191',
          node: rule,
          below: ['upsert', 'values'],
          part: 'key',
          message: `\`upsert\` may insert a new \`${record}\`, but \`values\` gives no value for its required field${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
          hint: 'give every required field a value, or make the field optional in the record',
        });
      }
      return;
    }
    case 'removeBy':
      // Absent key values remove nothing, so they may be optional.
      checkValues(op.key, true, () => false);
      return;
    case 'decrement': {
      checkValues(op.key, true, () => false);
      const element = unknownField(op.field, ['decrement', 'field'], 'value');
      if (!element) return;
      if (op.key.some((value) => value.field === op.field)) {
        ctx.report({ code: 'ESG190', node: rule, below: ['decrement', 'field'], message: `\`${op.field}\` is a key field of this \`decrement\`, so it cannot be the field decremented`, hint: 'decrement a number field that is not part of the key' });
        return;
      }
      numberField(element, '`decrement`', ['decrement', 'field'], 'value');
      if (isNumeric(element.type)) checkValue(op.by, { ...element, optional: true }, false);
      return;
    }
  }
}

function checkConstant(ctx: CheckContext, aggregate: AggregateDef, node: object, value: unknown, target: { type: TypeRef; optional: boolean }, targetName: string, below: (string | number)[]): void {
  if (value === null) {
    if (!target.optional && !acceptsNull(target.type)) ctx.report({ code: 'ESG144', node, below, message: `${targetName} is not optional, so it cannot be set to null`, hint: 'make the field optional (`T?`)' });
    return;
  }
  const problem = constantMismatch(aggregate, value as never, target.type);
  if (problem) {
    const values = enumValues(aggregate, target.type);
    ctx.report({
      code: 'ESG143',
      node,
      below,
      message: `the value for ${targetName} does not fit its type ${formatType(target.type)}: ${problem}`,
      hint: values && typeof value === 'string' ? suggestion(value, values, 'values') : undefined,
    });
  }
}

function checkKey(ctx: CheckContext, aggregate: AggregateDef, model: ReadModelDef, unknown: ReadonlySet<string>): void {
  const key = model.key;
  if (key.kind !== 'computed') return;
  for (const source of key.sources) {
    const event = aggregate.events.find((e) => e.name === source.event);
    if (!event) {
      if (!unknown.has(source.event)) {
        const inMap = ctx.pathOf(source).length > ctx.pathOf(key).length;
        ctx.report({ code: 'ESG136', node: source, part: inMap ? 'key' : 'value', message: `unknown event \`${source.event}\``, hint: suggestion(source.event, aggregate.events.map((e) => e.name), `events of \`${aggregate.name}\``) });
      }
      continue;
    }
    const resolved = typeAggregate(aggregate).value(source);
    if (resolved === undefined) continue;
    if (resolved.kind === 'unresolved') {
      ctx.report({ code: 'ESG137', node: source, message: resolved.message, hint: resolved.candidates ? suggestion(resolved.word ?? '', resolved.candidates, `fields of \`${event.name}\``) : resolved.hint });
      continue;
    }
    if (resolved.kind === 'constant') {
      ctx.report({ code: 'ESG147', node: source, message: 'a read-model key must be read from the event, not a constant', hint: 'write a field path such as `userId` or `$occurredAt:day`' });
      continue;
    }
    const { type, optional } = resolved;
    if (type !== 'unchecked' && !isScalar(aggregate, type)) {
      ctx.report({ code: 'ESG147', node: source, message: `the key of \`${model.name}\` for \`${event.name}\` is ${formatType(type)}, which cannot identify a row`, hint: 'use a string, uuid, integer, date or datetime value' });
      continue;
    }
    if (optional) {
      ctx.report({ code: 'ESG147', node: source, message: `the key of \`${model.name}\` for \`${event.name}\` may be absent, so the row cannot always be found`, hint: 'key on a required field' });
    }
    if (source.bucket) {
      if (type === 'unchecked' || !isTemporal(type)) {
        ctx.report({ code: 'ESG152', node: source, message: `the bucket \`:${source.bucket}\` needs a date or datetime value, but this key is ${type === 'unchecked' ? 'metadata' : formatType(type)}`, hint: 'remove the bucket or key on `$occurredAt`' });
      } else if (type.kind === 'primitive' && type.name === 'date' && source.bucket === 'hour') {
        ctx.report({ code: 'ESG152', node: source, message: 'a date has no hours, so it cannot be bucketed by `:hour`', hint: 'use `:day`, `:month` or `:year`' });
      }
    }
  }
  const keyed = new Set(key.sources.map((s) => s.event));
  for (const event of model.events) {
    if (keyed.has(event) || unknown.has(event)) continue;
    ctx.report({
      code: 'ESG147',
      node: key,
      message: `\`${model.name}\` reacts to \`${event}\`, but its key says how to find the row only for ${[...keyed].map((e) => `\`${e}\``).join(', ') || 'no event'}`,
      hint: `use a key map: \`key: { ${[...keyed, event].map((e) => `${e}: <field>`).join(', ')} }\``,
    });
  }
}

/** A computed value that is a `number` (a division or a number operand) into an integer target: says why it is not an integer. */
function computedNumberIntoInteger(ctx: CheckContext, node: object, resolved: ResolvedValue, target: { type: TypeRef; name: string }, below: (string | number)[]): boolean {
  if (resolved.kind !== 'read' || resolved.expr.kind !== 'computed') return false;
  const isInteger = (type: TypeRef | 'unchecked') => type !== 'unchecked' && type.kind === 'primitive' && type.name === 'integer';
  if (!isInteger(target.type) || isInteger(resolved.type)) return false;
  ctx.report({
    code: 'ESG143',
    node,
    below,
    message: `\`${valueExprText(resolved.expr)}\` is a number (a division, or an operand that is a number, makes it one), but ${target.name} is integer`,
    hint: 'make the field `number`, or compute over integers with `+ - *` only',
  });
  return true;
}

function hasDivision(expr: ValueExpr): boolean {
  return expr.kind === 'computed' && (expr.op === '/' || hasDivision(expr.left) || hasDivision(expr.right));
}
