/**
 * `<aggregate>/<aggregate>.base.ts`: the abstract `OrderBase` class the user's `Order` extends.
 * It holds the typed state and its defaults, one typed `raise<Event>` per event, and the
 * exhaustive dispatcher: declarative `apply` rules run here; every event without rules calls an
 * abstract `on<Event>` so the compiler lists what the user still has to write.
 */
import type { AggregateDef, EventDef } from '../ir/types.js';
import { type EmitContext, type EmittedFile, printSourceFile } from './emit-context.js';
import { namedTypesIn } from './emit-types.js';
import { fingerprintOf } from './fingerprint.js';
import { aggregateNames, eventNames, propertyKey, stringLiteral } from './names.js';
import { docComment, fieldsBody, TypeScope } from './type-expressions.js';
import { valueAccess } from './value-expressions.js';

export function aggregateBaseFile(aggregate: AggregateDef): string {
  const { kebab } = aggregateNames(aggregate.name);
  return `${kebab}/${kebab}.base.ts`;
}

/** The shape of the state, independent of names of value types: what snapshots must agree on. */
export function stateFingerprint(aggregate: AggregateDef): string {
  const scope = new TypeScope(aggregate);
  return fingerprintOf(aggregate.state.map((field) => [field.name, field.optional, scope.shape(field.type)]));
}

/** Events the user handles in TypeScript (no declarative apply rules). */
export function handledByUser(aggregate: AggregateDef): readonly EventDef[] {
  return aggregate.events.filter((event) => event.apply === undefined);
}

export function emitAggregateBase(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const names = aggregateNames(aggregate.name);
  const path = aggregateBaseFile(aggregate);
  const scope = new TypeScope(aggregate);
  const userHandled = handledByUser(aggregate);

  const valueTypes = namedTypesIn(aggregate.state.map((field) => field.type));
  const payloads = aggregate.events.map((event) => eventNames(event.name).payload);
  const typeConstants = aggregate.events.map((event) => eventNames(event.name).typeConstant);
  const imports = [
    `import { AggregateRoot, type EventContext, type RaiseOptions } from ${stringLiteral(context.runtimeImport)};`,
    `import { type ${names.eventUnion}${payloads.map((payload) => `, type ${payload}`).join('')}${typeConstants.map((constant) => `, ${constant}`).join('')} } from './events.js';`,
  ];
  if (valueTypes.length > 0) imports.push(`import type { ${valueTypes.join(', ')} } from './types.js';`);

  const members: string[] = [
    `/** Changes whenever the shape of ${names.stateInterface} changes: snapshots taken with another shape are ignored. */\nstatic readonly stateFingerprint = ${names.stateFingerprint};`,
    `override readonly aggregateType = ${stringLiteral(aggregate.name)};`,
    `#state: ${names.stateInterface} = ${names.initialState};`,
    `/** The current state; it changes only by applying events. */\nget state(): Readonly<${names.stateInterface}> {\n  return this.#state;\n}`,
    `/** Replaces some state fields: for \`on<Event>\` handlers, which run when an event is raised or replayed. */\nprotected patchState(changes: Partial<${names.stateInterface}>): void {\n  this.#state = { ...this.#state, ...changes };\n}`,
  ];
  for (const event of aggregate.events) {
    const eventName = eventNames(event.name);
    members.push(
      `protected ${eventName.raise}(data: ${eventName.payload}, options?: RaiseOptions): void {\n  this.raiseEvent({ type: ${eventName.typeConstant}, data }, options);\n}`,
    );
  }
  for (const event of userHandled) {
    const eventName = eventNames(event.name);
    members.push(
      `/** Applies ${event.name} to the state (the spec has no \`apply\` rules for it): use \`patchState\`. Runs on raise and on replay, so it must not fail or have side effects. */\nprotected abstract ${eventName.handler}(data: ${eventName.payload}, context: EventContext): void;`,
    );
  }

  const cases = aggregate.events.map((event) => {
    const eventName = eventNames(event.name);
    if (!event.apply) return `case ${eventName.typeConstant}:\n this.${eventName.handler}(event.data, context);\n return;`;
    if (event.apply.length === 0) return `case ${eventName.typeConstant}:\n return;`;
    const assignments = event.apply.map((rule) => {
      const target = aggregate.state.find((field) => field.name === rule.target);
      if (!target) throw new Error(`esgen internal error: ${aggregate.name} has no state field ${rule.target}`);
      const value = valueAccess(rule.value, { data: 'event.data', context: 'context', event, scope, target: target.type, targetOptional: target.optional });
      return `${propertyKey(rule.target)}: ${value.text}`;
    });
    return `case ${eventName.typeConstant}:\n this.#state = { ...this.#state, ${assignments.join(', ')} };\n return;`;
  });
  // `_context` when no rule reads it, for projects compiling with noUnusedParameters.
  const contextName = cases.some((text) => /\bcontext\b/.test(text)) ? 'context' : '_context';
  members.push(
    `protected override applyEvent(event: ${names.eventUnion}, ${contextName}: EventContext): void {\n  switch (event.type) {\n${cases.join('\n')}\ndefault: {\n const unknownEvent: never = event;\n throw new TypeError(\`${aggregate.name} cannot apply event \${(unknownEvent as { type: string }).type}\`);\n}\n  }\n}`,
    `/** The state as JSON (datetime fields are ISO strings), for snapshots. */\noverride snapshotState(): ${names.stateInterface} {\n  return this.#state;\n}`,
    `protected override restoreState(state: unknown): void {\n  // The runtime only hands over snapshots whose fingerprint matches ${names.stateFingerprint}.\n  this.#state = { ...${names.initialState}, ...(state as ${names.stateInterface}) };\n}`,
  );

  const statements = [
    ...imports,
    `${docComment(`State of ${aggregate.name}.${aggregate.description ? ` ${aggregate.description}` : ''}`)}export interface ${names.stateInterface} {\n${fieldsBody(aggregate.state)}\n}`,
    `/** State of a new ${aggregate.name}: spec defaults, zero values for other required fields. */\nexport const ${names.initialState}: ${names.stateInterface} = ${scope.initialObject(aggregate.state)};`,
    `export const ${names.stateFingerprint} = ${stringLiteral(stateFingerprint(aggregate))};`,
    `${docComment(`Generated base of ${aggregate.name}: extend it in your own class (\`class ${aggregate.name} extends ${names.baseClass}\`). Each \`raise<Event>(data)\` applies the event to the state at once and queues it for the next save.`)}export abstract class ${names.baseClass} extends AggregateRoot<${names.eventUnion}> {\n${members.join('\n\n')}\n}`,
  ];
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}
