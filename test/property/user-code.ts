/**
 * The user-owned files of a random domain, as the runtime harness writes them in place of the
 * scaffolds: an aggregate class that can raise any event by name and whose `on<Event>` handlers
 * patch the state as planned (HandlerPatch), custom upcast steps that carry fields over
 * (carryField), and custom read-model mappers (CustomMapperPlan). domain-oracle.ts predicts what
 * each of them does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type AggregateModel, type EventModel, type EventVersion, type Field, type HandlerPatch, type Json, type ReadModel } from './domain-model.js';
import { crossReadModelFile, generatedFiles, generatedNames, kebabCase, userFiles } from './generated-layout.js';
import { carryField } from './domain-oracle.js';
import type { PropertyProject } from './property-project.js';

/** A TypeScript expression for a JSON constant (through JSON.parse, so keys such as `__proto__` stay own properties). */
function literal(value: Json): string {
  return `JSON.parse(${JSON.stringify(JSON.stringify(value))})`;
}

const key = (name: string) => JSON.stringify(name);

export function writeUserCode(project: PropertyProject): void {
  for (const aggregate of project.domain.aggregates) {
    const files = userFiles(aggregate);
    const write = (file: string, text: string) => {
      const path = join(project.dir, project.sourceDir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    };
    const importOf = (from: string, generated: string) => {
      const path = relative(dirname(join(project.sourceDir, from)), join(project.outputDir, generated)).replace(/\.ts$/, '.js');
      return path.startsWith('.') ? path : `./${path}`;
    };
    write(files.aggregate, aggregateClass(aggregate, (generated) => importOf(files.aggregate, generated)));
    const upcasters = customUpcasters(aggregate, (generated) => importOf(files.upcasters, generated));
    if (upcasters) write(files.upcasters, upcasters);
    const mappers = customMappers(aggregate, (generated) => importOf(files.mappers, generated));
    if (mappers) write(files.mappers, mappers);
  }
  // Read models across aggregates: `<read-model>.mappers.ts`, payloads from each source's events file.
  for (const model of (project.domain.readModelFiles ?? []).flatMap((file) => file.readModels)) {
    if (model.customOn.length === 0) continue;
    const file = `${kebabCase(model.name)}.mappers.ts`;
    const path = join(project.dir, project.sourceDir, file);
    const importOf = (generated: string) => {
      const relativePath = relative(dirname(join(project.sourceDir, file)), join(project.outputDir, generated)).replace(/\.ts$/, '.js');
      return relativePath.startsWith('.') ? relativePath : `./${relativePath}`;
    };
    const owners = model.customOn.map((name) => {
      const aggregate = project.domain.aggregates.find((candidate) => candidate.events.some((e) => e.name === name))!;
      return { aggregate, event: aggregate.events.find((e) => e.name === name)! };
    });
    const imports = [...new Set(owners.map(({ aggregate }) => aggregate))].map(
      (aggregate) => `import type { ${owners.filter((owner) => owner.aggregate === aggregate).map(({ event }) => generatedNames.payload(event.name)).join(', ')} } from '${importOf(generatedFiles(aggregate).events)}';`,
    );
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      `import type { EventEnvelope, ProjectionChange } from 'esgen/runtime';
${imports.join('\n')}
import type { ${generatedNames.row(model.name)} } from '${importOf(crossReadModelFile(model.name))}';
${owners.map(({ event }) => mapper(model, event)).join('\n')}
`,
    );
  }
}

function aggregateClass(aggregate: AggregateModel, importOf: (generated: string) => string): string {
  const files = generatedFiles(aggregate);
  // Events without rules, and events whose handler runs after their rules (`handler: true`).
  const handled = aggregate.events.filter((event) => !event.apply || event.handler);
  const payloads = handled.map((event) => generatedNames.payload(event.name));
  const eventMap = `${aggregate.name}Events`;
  const handlers = handled.map((event) => handler(event));
  return `import type { ${handled.length > 0 ? 'EventContext, ' : ''}RaiseOptions } from 'esgen/runtime';
import { ${generatedNames.baseClass(aggregate.name)} } from '${importOf(files.base)}';
import type { ${[eventMap, ...payloads].join(', ')} } from '${importOf(files.events)}';

/** Written by the property-test harness: raises any event by name; handlers patch the state as planned. */
export class ${aggregate.name} extends ${generatedNames.baseClass(aggregate.name)} {
  raiseByName(type: string, data: unknown, options?: RaiseOptions): void {
    // The harness raises random events by name; raise itself is typed by ${eventMap}.
    this.raise(type as keyof ${eventMap}, data as ${eventMap}[keyof ${eventMap}], options);
  }
${handlers.join('\n')}
}
`;
}

function handler(event: EventModel): string {
  const patches = event.handler ?? [];
  const uses = (what: string) => patches.some((patch) => patchCode(patch).includes(what));
  const entries = patches.map((patch) => patchCode(patch));
  return `
  protected override ${generatedNames.handler(event.name)}(${uses('data[') ? 'data' : '_data'}: ${generatedNames.payload(event.name)}, ${uses('context.') ? 'context' : '_context'}: EventContext): void {
    this.patchState({ ${entries.join(', ')} });
  }`;
}

function patchCode(patch: HandlerPatch): string {
  const target = key(patch.target);
  switch (patch.kind) {
    case 'payload': {
      const read = `data[${key(patch.field)}]`;
      if (patch.fallback !== undefined) return `${target}: ${read} ?? ${literal(patch.fallback)}`;
      return `...(${read} !== undefined ? { ${target}: ${read} } : {})`;
    }
    case 'context':
      return `${target}: ${patch.field === 'occurredAt' ? 'context.occurredAt.toISOString()' : `context.${patch.field}`}`;
    case 'const':
      return `${target}: ${literal(patch.value)}`;
    case 'count':
      return `${target}: (this.state[${target}] ?? 0) + 1`;
  }
}

function customUpcasters(aggregate: AggregateModel, importOf: (generated: string) => string): string | undefined {
  const steps: { event: EventModel; from: EventVersion; to: EventVersion }[] = [];
  for (const event of aggregate.events) {
    event.versions.forEach((version, i) => {
      if (version.upcast?.kind === 'custom') steps.push({ event, from: version, to: event.versions[i + 1]! });
    });
  }
  if (steps.length === 0) return undefined;
  const current = (event: EventModel) => event.versions.length;
  const types = [...new Set(steps.flatMap(({ event, from, to }) => [generatedNames.payloadOfVersion(event.name, from.version, current(event)), generatedNames.payloadOfVersion(event.name, to.version, current(event))]))];
  const functions = steps.map(({ event, from, to }) => {
    const input = generatedNames.payloadOfVersion(event.name, from.version, current(event));
    const output = generatedNames.payloadOfVersion(event.name, to.version, current(event));
    const entries = to.fields.flatMap((field) => carryCode(aggregate, from.fields, field));
    const usesData = entries.some((entry) => entry.includes('data['));
    return `
/** ${event.name} v${from.version} → v${to.version}: fields of the same name and type carry over, others get a fixed value. */
export function ${generatedNames.upcastStep(event.name, from.version)}(${usesData ? 'data' : '_data'}: ${input}): ${output} {
  return { ${entries.join(', ')} };
}`;
  });
  return `import type { ${types.join(', ')} } from '${importOf(generatedFiles(aggregate).events)}';
${functions.join('\n')}
`;
}

function carryCode(aggregate: AggregateModel, from: readonly Field[], field: Field): string[] {
  const plan = carryField(aggregate, from, field);
  const target = key(field.name);
  switch (plan.kind) {
    case 'copy':
      return [`${target}: data[${target}]`];
    case 'copyIfPresent':
      return [`...(data[${target}] !== undefined ? { ${target}: data[${target}] } : {})`];
    case 'copyOrFill':
      return [`${target}: data[${target}] ?? ${literal(plan.fill)}`];
    case 'fill':
      return [`${target}: ${literal(plan.fill)}`];
    case 'absent':
      return [];
  }
}

function customMappers(aggregate: AggregateModel, importOf: (generated: string) => string): string | undefined {
  const mappers = aggregate.readModels.flatMap((model) => model.customOn.map((event) => ({ model, event: aggregate.events.find((e) => e.name === event)! })));
  if (mappers.length === 0) return undefined;
  const rows = [...new Set(mappers.map(({ model }) => generatedNames.row(model.name)))];
  const payloads = [...new Set(mappers.map(({ event }) => generatedNames.payload(event.name)))];
  const functions = mappers.map(({ model, event }) => mapper(model, event));
  return `import type { EventEnvelope, ProjectionChange } from 'esgen/runtime';
import type { ${payloads.join(', ')} } from '${importOf(generatedFiles(aggregate).events)}';
import type { ${rows.join(', ')} } from '${importOf(generatedFiles(aggregate).readModels)}';
${functions.join('\n')}
`;
}

function mapper(model: ReadModel, event: EventModel): string {
  const row = generatedNames.row(model.name);
  const plan = model.customMappers[event.name] ?? { kind: 'upsert' };
  let body: string;
  switch (plan.kind) {
    case 'upsert':
      body = `return { kind: 'upsert', row: next };`;
      break;
    case 'unchangedOnEvenVersion':
      body = `if (event.version % 2 === 0) return { kind: 'unchanged' };\n  return { kind: 'upsert', row: next };`;
      break;
    case 'deleteOnEveryThird':
      body = `if (event.version % 3 === 0) return { kind: 'delete' };\n  return { kind: 'upsert', row: next };`;
      break;
    case 'setVersion':
      body = `return { kind: 'upsert', row: { ...next, ${key(plan.field)}: event.version } };`;
      break;
  }
  const usesEvent = body.includes('event.');
  return `
export function ${generatedNames.customMapper(model.name, event.name)}(next: ${row}, ${usesEvent ? 'event' : '_event'}: EventEnvelope<${key(event.name)}, ${generatedNames.payload(event.name)}>, _current: ${row} | undefined): ProjectionChange<${row}> {
  ${body}
}`;
}

