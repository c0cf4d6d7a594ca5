/**
 * `<aggregate>/registry.ts`: the aggregate as the runtime sees it, declared with runtime helpers:
 * per event the payload fields of every version (checks), the upcast steps between versions and
 * the personal-data fields, then the read models. The top-level `registry.ts` gathers every
 * aggregate into the `registry` the runtime takes. Neither imports the user's classes: a class
 * meets its definition through the generated base (`Order.definition`), so there is no module
 * cycle between generated and user code.
 */
import { InternalError } from '../../runtime/errors.js';
import type { AggregateDef, DomainIR, EventDef, EventVersionDef, FieldDef, TypeRef } from '../ir/types.js';
import type { FieldSource } from '../ops/upcast-ops.js';
import { typeAggregate, type TypedAggregate } from '../typed/typed-aggregate.js';
import { stateFingerprint } from './emit-aggregate-base.js';
import { type EmitContext, type EmittedFile, FileBuilder, sourcePath } from './emit-context.js';
import { eventsFile } from './emit-events.js';
import { crossReadModelFile } from './emit-cross-read-models.js';
import { readModelsFile } from './emit-read-models.js';
import { enumValuesName, namedTypesIn, typesFile } from './emit-types.js';
import { aggregateNames, checkName, eventNames, propertyKey, readModelNames, stringLiteral } from './names.js';
import { jsonLiteral, TypeScope } from './type-expressions.js';
import { eventPersonalData, hasPersonalData } from '../typed/personal-data.js';
import { acceptsNull } from '../validate/type-rules.js';

export function registryFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}/registry.ts`;
}

export function userAggregateFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}.ts`;
}

export function userUpcastersFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}.upcasters.ts`;
}

export interface CustomUpcastStep {
  readonly event: string;
  readonly fromVersion: number;
  readonly functionName: string;
  readonly input: string;
  readonly output: string;
}

/** The custom steps of an aggregate, in spec order: what the user-owned upcasters file must export. */
export function customUpcastSteps(aggregate: AggregateDef): CustomUpcastStep[] {
  return aggregate.events.flatMap((event) =>
    event.versions
      .filter((version) => version.upcast?.kind === 'custom')
      .map((version) => {
        const names = eventNames(event.name, event.version);
        return { event: event.name, fromVersion: version.version, functionName: names.upcastStep(version.version), input: names.payloadOfVersion(version.version), output: names.payloadOfVersion(version.version + 1) };
      }),
  );
}

export function emitAggregateRegistry(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { StructureKind, VariableDeclarationKind } = context.tsm;
  const names = aggregateNames(aggregate.name);
  const file = new FileBuilder(context, registryFile(aggregate));
  const typed = typeAggregate(aggregate);
  const scope = new TypeScope(aggregate);
  file.declare(names.definition, ...aggregate.types.map((type) => checkName(type.name)));
  const check = () => file.runtime('check');

  // Checks of the value types payloads use, in spec order; one declared further down (or the
  // type itself, for recursive types) is reached through check.lazy.
  const used = reachableTypes(aggregate.events.flatMap((event) => event.versions.flatMap((version) => version.fields.map((field) => field.type))), scope);
  const declared = new Set<string>();
  const checkOf = (type: TypeRef): string => {
    switch (type.kind) {
      case 'primitive':
        return `${check()}.${type.name}`;
      case 'named':
        return declared.has(type.name) ? checkName(type.name) : `${check()}.lazy(() => ${checkName(type.name)})`;
      case 'array':
        return `${check()}.array(${checkOf(type.element)})`;
      case 'map':
        return `${check()}.map(${checkOf(type.value)})`;
    }
  };
  const fieldChecks = (fields: readonly FieldDef[]) => `{ ${fields.map((field) => `${propertyKey(field.name)}: ${field.optional ? `${check()}.optional(${checkOf(field.type)})` : checkOf(field.type)}`).join(', ')} }`;
  for (const type of aggregate.types.filter((candidate) => used.has(candidate.name))) {
    const initializer =
      type.kind === 'enum'
        ? `${check()}.enum(${stringLiteral(type.name)}, ${file.local(typesFile(aggregate), enumValuesName(type.name), 'value')})`
        : `${check()}.record(${stringLiteral(type.name)}, ${fieldChecks(type.fields)})`;
    file.add({ kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, declarations: [{ name: checkName(type.name), initializer }] });
    declared.add(type.name);
  }

  const events = aggregate.events.map((event) => {
    // A retired version (nothing stored of it remains) is `null`: the runtime refuses such a payload.
    const parts = [`versions: [${event.versions.map((version) => (version.retired ? 'null' : fieldChecks(version.fields))).join(', ')}]`];
    if (event.versions.length > 1) parts.push(`upcasts: [${event.versions.slice(0, -1).map((version) => (version.retired ? 'null' : upcastStep(file, context, typed, event, version))).join(', ')}]`);
    const personal = personalDataOf(aggregate, event);
    if (personal !== undefined) parts.push(`personalData: ${personal}`);
    // Written only where the spec says something (on the event or its aggregate), so the runtime
    // can tell "internal by default" from "kept internal on purpose" (a config may not publish those).
    const publish = event.publish ?? aggregate.publish;
    if (publish !== undefined) parts.push(`publish: ${publish}`);
    return `${propertyKey(event.name)}: { ${parts.join(', ')} },`;
  });
  const readModels = aggregate.readModels.map((readModel) => file.local(readModelsFile(aggregate), readModelNames(readModel.name).definition, 'value'));
  const properties = [
    `type: ${stringLiteral(aggregate.name)}`,
    `idType: ${stringLiteral(aggregate.idType.kind === 'primitive' && aggregate.idType.name === 'uuid' ? 'uuid' : 'string')}`,
    ...(aggregate.snapshotEvery === undefined ? [] : [`snapshotEvery: ${aggregate.snapshotEvery}`]),
    `stateFingerprint: ${stringLiteral(stateFingerprint(aggregate))}`,
    `events: {\n${events.join('\n')}\n}`,
    ...(readModels.length > 0 ? [`readModels: [${readModels.join(', ')}]`] : []),
  ];
  file.add({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`${aggregate.name} for the runtime: its events (payload checks per version, upcasts, personal data) and read models.`],
    declarations: [{ name: names.definition, initializer: `${file.runtime('defineAggregate')}({\n${properties.join(',\n')},\n})` }],
  });
  return file.print(aggregate.file);
}

/**
 * The step from `version` to the next: the user's function for a custom step; for a declarative
 * one a typed arrow function built from the simulation (the typed IR), which takes the fields the
 * step drops out of the payload and spreads the rest, so the compiler checks that it produces the
 * next version.
 */
function upcastStep(file: FileBuilder, context: EmitContext, typed: TypedAggregate, event: EventDef, version: EventVersionDef): string {
  const names = eventNames(event.name, event.version);
  const step = version.upcast;
  if (!step) throw new InternalError(`${event.name} v${version.version} has no upcast`);
  if (step.kind === 'custom') return file.local(sourcePath(context, userUpcastersFile(typed.aggregate)), names.upcastStep(version.version), 'value');
  const input = file.local(eventsFile(typed.aggregate), names.payloadOfVersion(version.version), 'type');
  const output = file.local(eventsFile(typed.aggregate), names.payloadOfVersion(version.version + 1), 'type');
  const simulation = typed.upcast(step);
  const taken = new Set(version.fields.map((field) => field.name));
  const rest = freeName('data', taken);
  // Fields that keep their name pass through the spread; renamed ones are taken out and set again.
  const moved = [...simulation.fields.entries()].filter((entry): entry is [string, Extract<FieldSource, { kind: 'field' }>] => entry[1].kind === 'field' && entry[1].from !== entry[0]);
  const takenOut = [...new Set([...simulation.dropped, ...moved.map(([, source]) => source.from)])];
  const entries = [`...${rest}`];
  for (const [name, source] of simulation.fields) {
    const key = propertyKey(name);
    // An added null on an optional field leaves it absent (stored JSON has no nulls there); json keeps null as a value.
    if (source.kind === 'literal') {
      if (source.value === null && source.optional && !acceptsNull(source.type)) continue;
      entries.push(`${key}: ${new TypeScope(typed.aggregate).literal(source.value, source.type)}`);
    }
    else if (source.from !== name) entries.push(source.optional ? `...(${source.from} === undefined ? {} : { ${key}: ${source.from} })` : `${key}: ${source.from}`);
  }
  const parameter = takenOut.length === 0 ? rest : `{ ${takenOut.join(', ')}, ...${rest} }`;
  const body = entries.length === 1 ? rest : `({ ${entries.join(', ')} })`;
  return `(${parameter}: ${input}): ${output} => ${body}`;
}

/**
 * `{ subject, versions }` of an event with personal data (runtime's PersonalDataSpec): per version
 * the paths of its `pii` values and what each reads as once forgotten. Undefined without any.
 */
function personalDataOf(aggregate: AggregateDef, event: EventDef): string | undefined {
  const data = eventPersonalData(aggregate, event);
  if (!hasPersonalData(data) || event.subject === undefined) return undefined;
  const value = event.subject.value;
  const subject = value.kind === 'event' ? `[${value.path.map(stringLiteral).join(', ')}]` : stringLiteral('$aggregateId');
  const versions = data.versions.map(
    (paths) => `[${paths.map((entry) => `{ path: [${entry.path.map(stringLiteral).join(', ')}]${entry.redacted === undefined ? '' : `, redacted: ${jsonLiteral(entry.redacted)}`} }`).join(', ')}]`,
  );
  return `{ subject: ${subject}, versions: [${versions.join(', ')}] }`;
}

/** `base`, or `base_`, `base__`… when a field already has that name. */
function freeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  while (taken.has(name)) name = `${name}_`;
  return name;
}

/** Value types reachable from the given types (through record fields). */
function reachableTypes(roots: readonly TypeRef[], scope: TypeScope): Set<string> {
  const seen = new Set<string>();
  const pending = namedTypesIn(roots);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const type = scope.named(name);
    if (type.kind === 'record') pending.push(...namedTypesIn(type.fields.map((field) => field.type)));
  }
  return seen;
}

export function emitRegistry(domain: DomainIR, context: EmitContext): EmittedFile {
  const { StructureKind, VariableDeclarationKind } = context.tsm;
  const file = new FileBuilder(context, 'registry.ts');
  file.declare('registry');
  const aggregates = domain.aggregates.map((aggregate) => file.local(registryFile(aggregate), aggregateNames(aggregate.name).definition, 'value'));
  // Read models across aggregates belong to no aggregate's definition: the registry takes them itself.
  const readModels = (domain.readModels ?? []).map((model) => file.local(crossReadModelFile(model), readModelNames(model.name).definition, 'value'));
  file.add({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Everything the runtime needs about this domain: aggregates, events (checks, upcasts) and read models. Repositories take your classes: `es.repository(Order)`.'],
    declarations: [{ name: 'registry', type: file.runtimeType('Registry'), initializer: `${file.runtime('defineRegistry')}([${aggregates.join(', ')}]${readModels.length > 0 ? `, [${readModels.join(', ')}]` : ''})` }],
  });
  return file.print(context.configFile);
}
