import { open } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { glob } from 'tinyglobby';
import { loadConfig } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DomainIR } from '../ir/types.js';
import { loadDomainFromSources, type DomainResult } from './load-domain.js';
import { checkPublishers } from '../validate/check-publishers.js';
import { decodeSpecBytes, maxSpecBytes, parseSpecText, tooLarge } from './parse-spec-text.js';
import type { SpecCache } from './spec-cache.js';

export type LoadResult =
  | { readonly ok: true; readonly config: ResolvedConfig; readonly ir: DomainIR; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly config?: ResolvedConfig; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> };

export interface LoadProjectOptions {
  /** Folder the config path is resolved against. */
  readonly cwd: string;
  /** Path of esgen.config.yaml; default `<cwd>/esgen.config.yaml`. */
  readonly configPath?: string;
  /** Reuse parse results of unchanged files (esgen watch). */
  readonly cache?: SpecCache;
  /** Supplies DATABASE_URL; process.env is never read here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A project's config and the spec files its globs match (relative to the config's folder, sorted). */
export type FoundProject =
  | { readonly ok: true; readonly config: ResolvedConfig; readonly files: readonly string[]; readonly sources: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly config?: ResolvedConfig; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> };

/**
 * Loads a project: config, spec files found by its globs, YAML and schema checks, semantic
 * checks, and the IR. Never throws for bad input: every problem is a diagnostic. Diagnostic and
 * IR file paths are relative to the config's folder; `sources` holds their text for code frames.
 */
export async function loadProject(options: LoadProjectOptions): Promise<LoadResult> {
  const found = await findProject(options);
  if (!found.ok) return found;
  return loadFoundProject(found, options.cache);
}

/** The second half of loadProject: reads and checks the spec files of a found project. */
export async function loadFoundProject(found: Extract<FoundProject, { ok: true }>, cache?: SpecCache): Promise<LoadResult> {
  const { config } = found;
  const sources = new Map(found.sources);
  const domain = await loadSpecFiles(config.root, found.files, cache);
  for (const [file, text] of domain.sources) sources.set(file, text);
  if (!domain.ok) return { ok: false, config, diagnostics: domain.diagnostics, sources };
  const publishers = publisherDiagnostics(config, domain.ir, found.sources);
  if (publishers.length > 0) return { ok: false, config, diagnostics: [...domain.diagnostics, ...publishers], sources };
  return { ok: true, config, ir: domain.ir, diagnostics: domain.diagnostics, sources };
}

/** The config's publisher lists checked against the domain, located in the config's text (parsed again only when it has publishers). */
function publisherDiagnostics(config: ResolvedConfig, ir: DomainIR, configSources: ReadonlyMap<string, string>): Diagnostic[] {
  if (Object.keys(config.publishers).length === 0) return [];
  const configFile = relative(config.root, config.configFile).split('\\').join('/');
  const text = configSources.get(configFile);
  const locator = text === undefined ? undefined : parseSpecText(configFile, text, 'config').locator;
  return locator === undefined ? [] : checkPublishers(config.publishers, ir, configFile, locator);
}

/** The first half of loadProject: the config, and the spec files its globs match. */
export async function findProject(options: LoadProjectOptions): Promise<FoundProject> {
  const sources = new Map<string, string>();
  const configResult = await loadConfig(options);
  if (configResult.text !== undefined) sources.set(configResult.displayPath, configResult.text);
  if (!configResult.ok) return { ok: false, diagnostics: configResult.diagnostics, sources };
  const config = configResult.config;

  const files = (await glob([...config.specs], { cwd: config.root, onlyFiles: true, ignore: ['**/node_modules/**'], expandDirectories: false })).sort();
  if (files.length === 0) {
    const at = keyPosition(configResult.text, 'specs');
    return {
      ok: false,
      config,
      sources,
      diagnostics: [
        {
          code: 'ESG003',
          severity: 'error',
          message: `no spec files match ${config.specs.map((s) => `\`${s}\``).join(', ')} (relative to the config's folder)`,
          file: configResult.displayPath,
          ...at,
          hint: 'spec files are named `<aggregate>.esgen.yaml`; check `specs:` in the config',
        },
      ],
    };
  }

  return { ok: true, config, files, sources };
}

/**
 * Reads the given spec files (relative to `root`) with the size and UTF-8 checks and builds the
 * domain from them: loadProject without the config and the glob.
 */
export async function loadSpecFiles(root: string, files: readonly string[], cache?: SpecCache): Promise<DomainResult & { readonly sources: ReadonlyMap<string, string> }> {
  const texts = new Map<string, string>();
  const ioDiagnostics: Diagnostic[] = [];
  // Read concurrently (a watch rebuild reads every spec to see what changed), report in file order.
  const reads = await Promise.all(files.map((file) => readSpecFile(join(root, file), file)));
  files.forEach((file, index) => {
    const read = reads[index]!;
    if ('diagnostic' in read) ioDiagnostics.push(read.diagnostic);
    else texts.set(file, read.text);
  });
  const domain = loadDomainFromSources(texts, { ...(cache ? { cache } : {}), extraDiagnostics: ioDiagnostics });
  return { ...domain, sources: texts };
}

/** Reads at most the size cap (plus one byte to detect larger files), so a huge file costs nothing. */
async function readSpecFile(path: string, file: string): Promise<{ text: string } | { diagnostic: Diagnostic }> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size > maxSpecBytes) return { diagnostic: tooLarge(file, size) };
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    return decodeSpecBytes(file, buffer);
  } catch (error) {
    return { diagnostic: { code: 'ESG004', severity: 'error', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file, line: 1, column: 1 } };
  } finally {
    await handle?.close();
  }
}

/** Line and column of a top-level key in the config text (1:1 when absent, e.g. defaults). */
function keyPosition(text: string, key: string): { line: number; column: number } {
  const index = text.split(/\r?\n/).findIndex((line) => line.startsWith(`${key}:`));
  return index < 0 ? { line: 1, column: 1 } : { line: index + 1, column: 1 };
}
