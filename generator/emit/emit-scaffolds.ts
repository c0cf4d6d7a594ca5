/**
 * User-owned files, rendered from the handlebars templates in `templates/scaffold/`: the
 * aggregate class (`<source>/order.ts`), and the custom upcasters and mappers files when the spec
 * has custom steps or mappers. The writer creates them once and never touches them again.
 */
import { InternalError } from '../../runtime/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Handlebars from 'handlebars';
import type { AggregateDef, DomainIR } from '../ir/types.js';
import { crossCustomMappers, crossMappersFile, crossReadModelFile } from './emit-cross-read-models.js';
import { aggregateBaseFile, handledByUser } from './emit-aggregate-base.js';
import { type EmitOptions, type ScaffoldFile, relativeImport } from './emit-context.js';
import { customMappers, userMappersFile } from './emit-read-models.js';
import { customUpcastSteps, userAggregateFile, userUpcastersFile } from './emit-registry.js';
import { aggregateNames, eventNames, readModelNames } from './names.js';

type TemplateName = 'aggregate' | 'upcasters' | 'mappers';
type Render = (name: TemplateName, input: object) => string;

/** `templates/` of the package, from the sources (generator/emit) or the build (dist/generator/emit). */
function templatesFolder(): string {
  for (const candidate of ['../../templates/scaffold/', '../../../templates/scaffold/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new InternalError('the templates folder is missing from the installation: reinstall esgen');
}

export function createScaffoldRenderer(handlebars: typeof Handlebars): Render {
  const folder = templatesFolder();
  const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();
  return (name, input) => {
    let template = compiled.get(name);
    if (!template) {
      // noEscape: the output is TypeScript, not HTML.
      template = handlebars.compile(readFileSync(`${folder}${name}.ts.hbs`, 'utf8'), { noEscape: true, strict: true });
      compiled.set(name, template);
    }
    return template(input);
  };
}

/**
 * Paths are relative to the source folder. `generatedFromSource` is the output folder as seen
 * from the source folder (e.g. `generated`).
 */
export function emitScaffolds(aggregate: AggregateDef, options: EmitOptions & { readonly generatedFromSource: string }, render: Render): ScaffoldFile[] {
  const names = aggregateNames(aggregate.name);
  const generated = (file: string) => `${options.generatedFromSource}/${file}`;
  const scaffolds: ScaffoldFile[] = [];

  const aggregateFile = userAggregateFile(aggregate);
  const handlers = handledByUser(aggregate).map((event) => ({
    event: event.name,
    handler: eventNames(event.name).handler,
    payload: eventNames(event.name).payload,
    afterRules: event.apply !== undefined,
  }));
  scaffolds.push({
    path: aggregateFile,
    requiredExports: [aggregate.name],
    text: render('aggregate', {
      type: aggregate.name,
      runtimeImport: options.runtimeImport,
      baseClass: names.baseClass,
      baseImport: relativeImport(aggregateFile, generated(aggregateBaseFile(aggregate))),
      eventsImport: relativeImport(aggregateFile, generated(`${names.kebab}/events.ts`)),
      payloadImports: handlers.map((handler) => handler.payload).join(', '),
      exampleEvent: aggregate.events[0]?.name ?? 'SomethingHappened',
      handlers,
    }),
  });

  const steps = customUpcastSteps(aggregate);
  if (steps.length > 0) {
    const file = userUpcastersFile(aggregate);
    scaffolds.push({
      path: file,
      requiredExports: steps.map((step) => step.functionName),
      text: render('upcasters', {
        type: aggregate.name,
        eventsImport: relativeImport(file, generated(`${names.kebab}/events.ts`)),
        registryImport: relativeImport(file, generated(`${names.kebab}/registry.ts`)),
        payloadImports: [...new Set(steps.flatMap((step) => [step.input, step.output]))].join(', '),
        steps: steps.map((step) => ({ ...step, toVersion: step.fromVersion + 1 })),
      }),
    });
  }

  const mappers = customMappers(aggregate);
  if (mappers.length > 0) {
    const file = userMappersFile(aggregate);
    scaffolds.push({
      path: file,
      requiredExports: mappers.map((mapper) => mapper.functionName),
      text: render('mappers', {
        type: aggregate.name,
        runtimeImport: options.runtimeImport,
        // Read models and events by their own modules, not the barrel: the barrel imports this file.
        indexImport: relativeImport(file, generated(`${names.kebab}/read-models.ts`)),
        eventImports: [{ names: [...new Set(mappers.map((mapper) => mapper.payload))].join(', '), from: relativeImport(file, generated(`${names.kebab}/events.ts`)) }],
        typeImports: [...new Set(mappers.map((mapper) => mapper.row))].join(', '),
        mappers,
      }),
    });
  }
  return scaffolds;
}

/** The user-owned mappers file of a read model across aggregates with `custom:` events (payloads from each source's events file). */
export function emitCrossScaffolds(domain: DomainIR, options: EmitOptions & { readonly generatedFromSource: string }, render: Render): ScaffoldFile[] {
  const generated = (file: string) => `${options.generatedFromSource}/${file}`;
  return (domain.readModels ?? []).flatMap((model) => {
    const mappers = crossCustomMappers(model, domain.aggregates);
    if (mappers.length === 0) return [];
    const file = crossMappersFile(model);
    const bySource = new Map<AggregateDef, string[]>();
    for (const mapper of mappers) bySource.set(mapper.aggregate, [...new Set([...(bySource.get(mapper.aggregate) ?? []), mapper.payload])]);
    return [
      {
        path: file,
        requiredExports: mappers.map((mapper) => mapper.functionName),
        text: render('mappers', {
          type: model.name,
          runtimeImport: options.runtimeImport,
          indexImport: relativeImport(file, generated(crossReadModelFile(model))),
          eventImports: [...bySource].map(([aggregate, payloads]) => ({ names: payloads.join(', '), from: relativeImport(file, generated(`${aggregateNames(aggregate.name).kebab}/events.ts`)) })),
          typeImports: readModelNames(model.name).row,
          mappers,
        }),
      },
    ];
  });
}
