/**
 * `<aggregate>/events.ts`: one interface per payload version (`OrderCreatedV1`, and the current
 * one under the plain name `OrderCreated`), the map of every event's current payload by type
 * (`OrderEvents`), and the union of events (`OrderEvent`). Docs only where they add to the names
 * (spec descriptions, versions).
 */
import type { AggregateDef, EventDef, EventVersionDef } from '../ir/types.js';
import { type EmitContext, type EmittedFile, FileBuilder } from './emit-context.js';
import { importValueTypes } from './emit-types.js';
import { aggregateNames, eventNames } from './names.js';
import { oneLine, propertiesOf } from './type-expressions.js';
import { readableVersions } from '../ir/event-versions.js';

export function eventsFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}/events.ts`;
}

export function emitEvents(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { StructureKind } = context.tsm;
  const names = aggregateNames(aggregate.name);
  const file = new FileBuilder(context, eventsFile(aggregate));
  file.declare(names.eventMap, names.eventUnion, ...aggregate.events.flatMap((event) => readableVersions(event).map((version) => eventNames(event.name, event.version).payloadOfVersion(version.version))));
  importValueTypes(file, aggregate, aggregate.events.flatMap((event) => readableVersions(event).flatMap((version) => version.fields.map((field) => field.type))));
  for (const event of aggregate.events) for (const version of readableVersions(event)) file.add(payloadDeclaration(context, event, version));
  file.add(
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: names.eventMap,
      docs: [`Every event of ${aggregate.name} with its current payload, by stored event type.`],
      properties: aggregate.events.map((event) => ({ name: event.name, type: event.name, isReadonly: true })),
    },
    { kind: StructureKind.TypeAlias, isExported: true, name: names.eventUnion, docs: [`An event of ${aggregate.name}: \`{ type, data }\`, discriminated by \`type\`.`], type: `${file.runtimeType('EventOf')}<${names.eventMap}>` },
  );
  return file.print(aggregate.file);
}

function payloadDeclaration(context: EmitContext, event: EventDef, version: EventVersionDef) {
  const { StructureKind } = context.tsm;
  const name = eventNames(event.name, event.version).payloadOfVersion(version.version);
  const isCurrent = version.version === event.version;
  const docs = [
    ...(event.versions.length > 1 ? [`${event.name} payload, version ${version.version}${isCurrent ? ' (current)' : ''}.`] : []),
    ...(isCurrent && event.description ? [oneLine(event.description)] : []),
  ];
  const doc = docs.length > 0 ? [docs.join(' ')] : [];
  // A payload without fields accepts exactly `{}` (an empty interface would accept any object).
  if (version.fields.length === 0) return { kind: StructureKind.TypeAlias, isExported: true, name, docs: doc, type: 'Readonly<Record<string, never>>' } as const;
  return { kind: StructureKind.Interface, isExported: true, name, docs: doc, properties: propertiesOf(version.fields) } as const;
}
