/**
 * Every assumption the runtime harness makes about the shape of generated code, in one place:
 * file names, exported names, and how user code plugs in. When code generation changes its
 * layout (issue 9 redesigns it), this file and user-code.ts are what follow.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AggregateClass, AggregateRootLike, Registry } from '../../runtime/index.js';
import type { AggregateModel } from './domain-model.js';
import type { PropertyProject } from './property-project.js';

/** `BankAccount` → `bank-account`, `HTTPServer` → `http-server` (the generator's file naming). */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

export const generatedNames = {
  baseClass: (aggregate: string) => `${aggregate}Base`,
  payload: (event: string) => event,
  /** Older versions carry their number; the current payload has the plain name. */
  payloadOfVersion: (event: string, version: number, currentVersion: number) => (version === currentVersion ? event : `${event}V${version}`),
  handler: (event: string) => `on${event}`,
  upcastStep: (event: string, fromVersion: number) => `upcast${event}V${fromVersion}ToV${fromVersion + 1}`,
  row: (readModel: string) => `${readModel}Row`,
  customMapper: (readModel: string, event: string) => `map${readModel}On${event}`,
};

/** Generated files of an aggregate, relative to the output folder. */
export function generatedFiles(aggregate: AggregateModel): { base: string; events: string; readModels: string } {
  const kebab = kebabCase(aggregate.name);
  return { base: `${kebab}/${kebab}.base.ts`, events: `${kebab}/events.ts`, readModels: `${kebab}/read-models.ts` };
}

/** The generated file of a read model of a read-model file, relative to the output folder. */
export function crossReadModelFile(readModel: string): string {
  return `read-models/${kebabCase(readModel)}.ts`;
}

/** User-owned files of an aggregate, relative to the source folder. */
export function userFiles(aggregate: AggregateModel): { aggregate: string; upcasters: string; mappers: string } {
  const kebab = kebabCase(aggregate.name);
  return { aggregate: `${kebab}.ts`, upcasters: `${kebab}.upcasters.ts`, mappers: `${kebab}.mappers.ts` };
}

/** The registry the runtime takes: the generated `registry.ts` exports it (it never imports user classes). */
export async function importRegistry(project: PropertyProject): Promise<Registry> {
  const module = (await import(pathToFileURL(join(project.dir, project.outputDir, 'registry.ts')).href)) as { registry: Registry };
  return module.registry;
}

/** The user's class of an aggregate (it carries its generated definition): what repositories are opened with. */
export async function importAggregateClass(project: PropertyProject, aggregate: AggregateModel): Promise<AggregateClass<AggregateRootLike>> {
  const module = (await import(pathToFileURL(join(project.dir, project.sourceDir, userFiles(aggregate).aggregate)).href)) as Record<string, AggregateClass<AggregateRootLike>>;
  const found = module[aggregate.name];
  if (!found) throw new Error(`${userFiles(aggregate).aggregate} does not export ${aggregate.name}`);
  return found;
}
