/** Loads the generated registry module, and the user's aggregate classes, for the commands that need them (`esgen projections`, `esgen events`). */
import { EsgenError } from '../runtime/errors.js';

type Registry = import('../runtime/index.js').Registry;

/** A mistake in the command line or the project (exit 1 with its message, no stack trace). */
export class CliInputError extends EsgenError {
  constructor(message: string) {
    super('ESG009', message);
  }
}

/** The `registry` export of the generated module (compiled JS, or TypeScript through tsx). */
export async function loadRegistry(path: string): Promise<Registry> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(path)) {
    throw new CliInputError(`no registry module at ${path}: run \`esgen build\`, or pass --registry <path of the generated registry.ts or its compiled .js>`);
  }
  const module = await importModule(path);
  const registry = (module.registry ?? (module.default as Record<string, unknown> | undefined)?.registry ?? module.default) as Registry | undefined;
  if (registry === undefined || typeof registry !== 'object' || typeof registry.readModels !== 'object') {
    throw new CliInputError(`${path} does not export a \`registry\` (the generated registry module does)`);
  }
  return registry;
}

/** The registry a database command uses: `--registry <module>` (relative to the cwd), else `<config output>/registry.ts`. */
export async function loadTargetRegistry(registryFlag: string | undefined, target: { readonly context: { readonly cwd: string }; readonly output: string }): Promise<Registry> {
  const { resolve } = await import('node:path');
  return loadRegistry(registryFlag ? resolve(target.context.cwd, registryFlag) : resolve(target.output, 'registry.ts'));
}

/** A module by path: compiled JS, or TypeScript through tsx (the project's own dev dependency). */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const { pathToFileURL } = await import('node:url');
  if (!/\.[cm]?ts$/.test(path)) return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  let tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport });
  } catch {
    throw new CliInputError(`${path} is TypeScript: install tsx in the project (npm i -D tsx), or pass the compiled .js module`);
  }
  return tsImport(pathToFileURL(path).href, import.meta.url);
}

type AggregateClass = import('../runtime/index.js').RepositoryTarget<import('../runtime/index.js').AggregateRootLike>;

/** The user's aggregate class `name`, exported by the module at `path` (the scaffolded `<source>/<kebab>.ts` by default). */
export async function loadAggregateClass(path: string, name: string): Promise<AggregateClass> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(path)) {
    throw new CliInputError(`no module at ${path} for the ${name} class: pass --aggregate-module <path of the module that exports class ${name}>`);
  }
  const exported = (await importModule(path))[name];
  if (typeof exported !== 'function') throw new CliInputError(`${path} does not export a class \`${name}\` (the class that extends ${name}Base)`);
  return exported as unknown as AggregateClass;
}
