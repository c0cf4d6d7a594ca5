/**
 * `<aggregate>/bus.ts`, for an aggregate with public events (`publish: true`): what another
 * service needs to consume them without esgen's database. The map of public events to their
 * current payloads (`OrderPublicEvents`), each event's subject after the publisher's prefix
 * (`OrderSubjects.OrderPaid` = `'Order.OrderPaid'`: the prefix is chosen per deployment), and the
 * typed consumer (`consumeOrderEvents`), declared with the runtime's `defineAggregateConsumer`
 * over the aggregate's generated validators and upcasts. Internal events get none of these.
 */
import type { AggregateDef } from '../ir/types.js';
import { typeAggregate } from '../typed/typed-aggregate.js';
import { type EmitContext, type EmittedFile, FileBuilder } from './emit-context.js';
import { eventsFile } from './emit-events.js';
import { registryFile } from './emit-registry.js';
import { aggregateNames, propertyKey, stringLiteral } from './names.js';

export function busFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}/bus.ts`;
}

/** Whether the aggregate gets a bus.ts: it has at least one public event. */
export function hasBus(aggregate: AggregateDef): boolean {
  return typeAggregate(aggregate).publicEvents.length > 0;
}

export function emitBus(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { StructureKind, VariableDeclarationKind } = context.tsm;
  const names = aggregateNames(aggregate.name);
  const file = new FileBuilder(context, busFile(aggregate));
  file.declare(names.publicEventMap, names.subjects, names.consumer);
  const events = typeAggregate(aggregate).publicEvents;
  file.add(
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: names.publicEventMap,
      docs: [`The public events of ${aggregate.name} (\`publish: true\`) with their current payloads: what other services may consume.`],
      properties: events.map((event) => ({ name: event.name, type: file.local(eventsFile(aggregate), event.name, 'type'), isReadonly: true })),
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Subjects of the public events of ${aggregate.name}, after the publisher's subject prefix: subscribe to \`\${prefix}.\${${names.subjects}.${events[0]!.name}}\`, or \`subjectOf(prefix, ${names.subjects}.${events[0]!.name})\`.`,
      ],
      declarations: [
        {
          name: names.subjects,
          initializer: `{\n${events.map((event) => `${propertyKey(event.name)}: ${stringLiteral(`${aggregate.name}.${event.name}`)},`).join('\n')}\n} as const`,
        },
      ],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Consumes the public events of ${aggregate.name} from a JetStream stream with a typed handler per event: payloads validated and upcast to the current version, deduplicated by event id (docs/message-bus.md).\n\n@example\nconst consumer = await ${names.consumer}({ connection, stream: 'SHOP', subjectPrefix: 'shop', name: 'billing', handlers: { ${events[0]!.name}: async (event) => { event.data; } } });`,
      ],
      declarations: [
        {
          name: names.consumer,
          initializer: `${file.runtime('defineAggregateConsumer')}<${names.publicEventMap}>(${file.local(registryFile(aggregate), names.definition, 'value')})`,
        },
      ],
    },
  );
  return file.print(aggregate.file);
}
