/**
 * `<aggregate>/events.ts`: one interface per event version (`OrderCreatedV1`), the current one
 * under the plain name, the `OrderEvent` union, type/version constants (`OrderCreatedType`,
 * `OrderCreatedVersion`), constructors (`orderCreated(data)`) and guards (`isOrderCreated`).
 * Generated files carry docs only where they add to the names (spec descriptions, versions):
 * boilerplate comments on every member cost a third of prettier's time on large domains.
 */
import type { AggregateDef, EventDef } from '../ir/types.js';
import { type EmitContext, type EmittedFile, printSourceFile } from './emit-context.js';
import { namedTypesIn } from './emit-types.js';
import { aggregateNames, eventNames, stringLiteral } from './names.js';
import { docComment, fieldsBody } from './type-expressions.js';

export function emitEvents(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const names = aggregateNames(aggregate.name);
  const path = `${names.kebab}/events.ts`;
  const valueTypes = namedTypesIn(aggregate.events.flatMap((event) => event.versions.flatMap((version) => version.fields.map((field) => field.type))));
  const statements: string[] = [`import type { DomainEvent } from ${stringLiteral(context.runtimeImport)};`];
  if (valueTypes.length > 0) statements.push(`import type { ${valueTypes.join(', ')} } from './types.js';`);
  for (const event of aggregate.events) statements.push(...eventStatements(event));
  const union = aggregate.events.map((event) => eventNames(event.name).event);
  statements.push(
    `/** Every event of ${aggregate.name}, current payload versions. */\nexport type ${names.eventUnion} = ${union.length ? union.join(' | ') : 'never'};`,
    `export type ${names.eventUnion}Type = ${names.eventUnion}['type'];`,
    `/** The stored event_type of every ${aggregate.name} event, in spec order. */\nexport const ${names.camel}EventTypes = [${aggregate.events.map((event) => stringLiteral(event.name)).join(', ')}] as const;`,
    `/** Whether an event belongs to ${aggregate.name}. */\nexport function is${names.eventUnion}(event: DomainEvent): event is ${names.eventUnion} {\n  return (${names.camel}EventTypes as readonly string[]).includes(event.type);\n}`,
  );
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

function eventStatements(event: EventDef): string[] {
  const names = eventNames(event.name);
  const versioned = event.versions.length > 1;
  const statements: string[] = [
    `export const ${names.typeConstant} = ${stringLiteral(event.name)};`,
    `export const ${names.versionConstant} = ${event.version};`,
  ];
  // Docs only where they say something the names do not: spec descriptions and version history.
  for (const version of event.versions) {
    const isCurrent = version.version === event.version;
    const doc = versioned ? `${event.name} payload, version ${version.version}${isCurrent ? ' (current)' : ''}.` : undefined;
    statements.push(`${docComment(doc)}export interface ${names.payloadOfVersion(version.version)} {\n${fieldsBody(version.fields)}\n}`);
  }
  const hasRequiredField = (event.versions.at(-1)?.fields ?? []).some((field) => !field.optional);
  statements.push(
    `${docComment(event.description)}export type ${names.payload} = ${names.payloadOfVersion(event.version)};`,
    `export type ${names.event} = DomainEvent<typeof ${names.typeConstant}, ${names.payload}>;`,
    `export function ${names.constructor}(data: ${names.payload}${hasRequiredField ? '' : ' = {}'}): ${names.event} {\n  return { type: ${names.typeConstant}, data };\n}`,
    `export function ${names.guard}(event: DomainEvent): event is ${names.event} {\n  return event.type === ${names.typeConstant};\n}`,
  );
  return statements;
}
