/** Loads the generated registry module for the commands that need it (`esgen projections`, `esgen events`). */
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
  const { pathToFileURL } = await import('node:url');
  if (!existsSync(path)) {
    throw new CliInputError(`no registry module at ${path}: run \`esgen build\`, or pass --registry <path of the generated registry.ts or its compiled .js>`);
  }
  let module: Record<string, unknown>;
  if (/\.[cm]?ts$/.test(path)) {
    let tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
    try {
      ({ tsImport } = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport });
    } catch {
      throw new CliInputError(`${path} is TypeScript: install tsx in the project (npm i -D tsx), or pass --registry <compiled registry.js>`);
    }
    module = await tsImport(pathToFileURL(path).href, import.meta.url);
  } else {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  }
  const registry = (module.registry ?? (module.default as Record<string, unknown> | undefined)?.registry ?? module.default) as Registry | undefined;
  if (registry === undefined || typeof registry !== 'object' || typeof registry.readModels !== 'object') {
    throw new CliInputError(`${path} does not export a \`registry\` (the generated registry module does)`);
  }
  return registry;
}

