/**
 * `<aggregate>/<aggregate>.base.ts`: the abstract `OrderBase` class the user's `Order` extends.
 * It declares the typed state and its initial value, and one applier per event in a map typed
 * over every event (`Appliers<OrderEvents, OrderState>`), so the compiler checks that each event
 * is handled whatever their number: declarative `apply` rules become the fields an applier
 * returns; an event without rules calls an abstract `on<Event>` the user writes. The runtime's
 * SpecAggregate does the rest (raise, dispatch, snapshots).
 */
import { InternalError } from '../../runtime/errors.js';
import type { AggregateDef, ApplyRule, EventDef } from '../ir/types.js';
import { typeAggregate, type TypedAggregate } from '../typed/typed-aggregate.js';
import { type EmitContext, type EmittedFile, FileBuilder } from './emit-context.js';
import { eventsFile } from './emit-events.js';
import { registryFile } from './emit-registry.js';
import { importValueTypes } from './emit-types.js';
import { fingerprintOf } from './fingerprint.js';
import { aggregateNames, eventNames, propertyKey, stringLiteral } from './names.js';
import { oneLine, propertiesOf, TypeScope } from './type-expressions.js';
import { parameterList, type ValueSources, writeValue } from './value-expressions.js';

export function aggregateBaseFile(aggregate: AggregateDef): string {
  const { kebab } = aggregateNames(aggregate.name);
  return `${kebab}/${kebab}.base.ts`;
}

/** The shape of the state, independent of names of value types: what snapshots must agree on. */
export function stateFingerprint(aggregate: AggregateDef): string {
  const scope = new TypeScope(aggregate);
  const shape = aggregate.state.map((field) => [field.name, field.optional, scope.shape(field.type)]);
  // Snapshots taken before datetimes were stored canonically (UTC with milliseconds) may hold
  // other spellings: a state with datetimes gets a new fingerprint, so they are ignored once.
  return fingerprintOf(JSON.stringify(shape).includes('"datetime"') ? { shape, datetimes: 'utc-ms' } : shape);
}

/** Events the user handles in TypeScript: no declarative apply rules, or `handler: true` after them. */
export function handledByUser(aggregate: AggregateDef): readonly EventDef[] {
  return aggregate.events.filter((event) => event.apply === undefined || event.handler === true);
}

export function emitAggregateBase(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { StructureKind, VariableDeclarationKind, Scope } = context.tsm;
  const names = aggregateNames(aggregate.name);
  const file = new FileBuilder(context, aggregateBaseFile(aggregate));
  const typed = typeAggregate(aggregate);
  const scope = new TypeScope(aggregate);
  file.declare(names.stateInterface, names.initialState, names.baseClass);
  importValueTypes(file, aggregate, aggregate.state.map((field) => field.type));
  const eventMap = file.local(eventsFile(aggregate), names.eventMap, 'type');

  const appliers = aggregate.events.map((event) => `${propertyKey(event.name)}: ${applier(file, typed, scope, event)},`);
  const handlers = handledByUser(aggregate).map((event) => ({
    name: eventNames(event.name).handler,
    scope: Scope.Protected,
    isAbstract: true,
    docs: [
      event.apply
        ? `Applies ${event.name} after its \`apply\` rules (\`handler: true\`): \`this.state\` already holds their changes; change more with \`patchState\`. Runs on raise and on replay, so it must not fail or have side effects.`
        : `Applies ${event.name} (the spec has no \`apply\` rules for it): change the state with \`patchState\`. Runs on raise and on replay, so it must not fail or have side effects.`,
    ],
    parameters: [
      { name: 'data', type: file.local(eventsFile(aggregate), event.name, 'type') },
      { name: 'context', type: file.runtimeType('EventContext') },
    ],
    returnType: 'void',
  }));

  file.add(
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: names.stateInterface,
      docs: [`State of ${aggregate.name}.${aggregate.description ? ` ${oneLine(aggregate.description)}` : ''}`],
      properties: propertiesOf(aggregate.state),
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`State of a new ${aggregate.name}: spec defaults, zero values for other required fields.`],
      declarations: [{ name: names.initialState, type: names.stateInterface, initializer: scope.initialObject(aggregate.state) }],
    },
    {
      kind: StructureKind.Class,
      isExported: true,
      isAbstract: true,
      name: names.baseClass,
      extends: `${file.runtime('SpecAggregate')}<${eventMap}, ${names.stateInterface}>`,
      docs: [`Generated base of ${aggregate.name}: extend it in your own class (\`class ${aggregate.name} extends ${names.baseClass}\`), raise events with \`this.raise(type, data)\`.`],
      properties: [
        { name: 'definition', isStatic: true, isReadonly: true, initializer: file.local(registryFile(aggregate), names.definition, 'value') },
        { name: 'aggregateType', hasOverrideKeyword: true, isReadonly: true, initializer: stringLiteral(aggregate.name) },
        { name: 'initialState', scope: Scope.Protected, hasOverrideKeyword: true, isReadonly: true, initializer: names.initialState },
        {
          name: 'appliers',
          scope: Scope.Protected,
          hasOverrideKeyword: true,
          isReadonly: true,
          type: `${file.runtimeType('Appliers')}<${eventMap}, ${names.stateInterface}>`,
          initializer: appliers.length === 0 ? '{}' : `{\n${appliers.join('\n')}\n}`,
        },
      ],
      methods: handlers,
    },
  );
  return file.print(aggregate.file);
}

/**
 * One event's applier: the state fields its `apply` rules set, or a call of the user's handler;
 * with `handler: true`, the rules' fields are patched first and the handler runs after them.
 */
function applier(file: FileBuilder, typed: TypedAggregate, scope: TypeScope, event: EventDef): string {
  const handler = eventNames(event.name).handler;
  if (!event.apply) return `(data, context) => this.${handler}(data, context)`;
  const used = new Set<string>();
  const sources: ValueSources = {
    payload: { text: 'data', root: 'data' },
    envelope: { text: 'context', root: 'context' },
    use: (root: string) => used.add(root),
    event,
    scope,
    helper: (name) => file.runtime(name),
  };
  const fields = event.apply.map((rule) => `${propertyKey(rule.target)}: ${ruleValue(file, typed, sources, rule, () => used.add('state'))}`);
  const changes = `{ ${fields.join(', ')} }`;
  if (event.handler) {
    used.add('data').add('context');
    return `(${parameterList(['data', 'context', 'state'], used)}) => {\nthis.patchState(${changes});\nthis.${handler}(data, context);\n}`;
  }
  return `(${parameterList(['data', 'context', 'state'], used)}) => (${changes})`;
}

/** The new value of a rule's target: the value itself (`set`), or the field (or one map entry) changed by it. */
function ruleValue(file: FileBuilder, typed: TypedAggregate, sources: ValueSources, rule: ApplyRule, useState: () => void): string {
  const target = typed.stateField(rule.target);
  const value = typed.value(rule);
  if (!target || !value) throw new InternalError(`${sources.event.name} applies to an unknown state field ${rule.target}`);
  const key = propertyKey(rule.target);
  const field = key === rule.target ? `state.${key}` : `state[${key}]`;
  if (rule.entry) {
    const entryKey = typed.entryKey(rule);
    if (target.type.kind !== 'map' || !entryKey) throw new InternalError(`${sources.event.name} changes an entry of ${rule.target}, which is not a map`);
    useState();
    const keyText = writeValue(entryKey, { type: { kind: 'primitive', name: 'string' }, optional: false }, sources).text;
    if (rule.op === 'remove') return `${file.runtime('removeEntry')}(${field}, ${keyText})`;
    const entryValue = writeValue(value, { type: target.type.value, optional: rule.op !== undefined }, sources).text;
    const helper = rule.op === 'add' ? 'addToEntry' : rule.op === 'subtract' ? 'subtractFromEntry' : 'setEntry';
    return `${file.runtime(helper)}(${field}, ${keyText}, ${entryValue})`;
  }
  const written = writeValue(value, rule.op ? { type: target.type, optional: true } : target, sources).text;
  if (rule.op === 'add' || rule.op === 'subtract') {
    useState();
    return `${file.runtime(rule.op)}(${field}, ${written})`;
  }
  return written;
}
