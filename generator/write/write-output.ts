/**
 * The one place that writes generated code to disk. It writes only files whose content changed
 * (so a downstream `tsc --watch` stays quiet), removes files the previous build generated and this
 * one does not (through the manifest), and creates user-owned files only when they do not exist.
 */
import { EsgenError } from '../../runtime/errors.js';
import { statSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { isGeneratedText } from './banner.js';
import { isSafeRelativePath, manifestFileName, readManifest } from './manifest.js';
import { findOrphanedUserFiles, type OrphanedUserFile } from './orphaned-user-files.js';
import type { OutputInProgress } from './render-output.js';

export interface OutputFolders {
  /** Absolute output folder (generated, owned by esgen). */
  readonly outputDir: string;
  /** Absolute source folder (user-owned files). */
  readonly sourceDir: string;
}

/** Paths are absolute. */
export interface WriteSummary {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
  /** User-owned files created from a template in this build. */
  readonly created: readonly string[];
  /** User-owned files that exist and were left as they are. */
  readonly kept: readonly string[];
  /** Kept user-owned files that lack an export the generated code imports (the spec grew since they were scaffolded). */
  readonly missingExports: readonly { readonly path: string; readonly names: readonly string[] }[];
  /** User files that import a generated module this build removed (their spec is gone). */
  readonly orphaned: readonly OrphanedUserFile[];
}

/** Whether a module's text declares an export of that name (a plain scan: enough to point the user at it). */
function declaresExport(text: string, name: string): boolean {
  return (
    new RegExp(`\\bexport\\s+(?:declare\\s+)?(?:async\\s+)?(?:function\\*?|class|const|let|var|abstract\\s+class)\\s+${name}\\b`).test(text) ||
    new RegExp(`\\bexport\\s*(?:type\\s*)?\\{[^}]*\\b${name}\\b[^}]*\\}`).test(text)
  );
}

/**
 * What a session knows about files it wrote or verified: a file whose size and mtime did not move
 * since is not read again (esgen watch compares hundreds of files per rebuild).
 */
export type WriteMemory = Map<string, { readonly text: string; readonly mtimeMs: number; readonly size: number }>;

function remember(memory: WriteMemory | undefined, path: string, text: string): void {
  if (!memory) return;
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats) memory.set(path, { text, mtimeMs: stats.mtimeMs, size: stats.size });
}

function knownUnchanged(memory: WriteMemory | undefined, path: string, text: string): boolean {
  const known = memory?.get(path);
  if (!known || known.text !== text) return false;
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats !== undefined && stats.mtimeMs === known.mtimeMs && stats.size === known.size;
}

/** The build refused to write (ESG008): a file in the way is not esgen's to overwrite. Nothing was written. */
export class UnableToWriteOutput extends EsgenError {
  private constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super('ESG008', `Unable to write generated code: ${path} ${reason}`);
  }

  static dueTo(path: string, reason: string): UnableToWriteOutput {
    return new UnableToWriteOutput(path, reason);
  }
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const ioConcurrency = 32;

/**
 * Runs tasks with at most `limit` in flight, in the order they ask. File I/O is latency-bound:
 * 800 files one after another cost a second of waiting on a cold build, a few dozen in flight
 * cost a tenth of that.
 */
function limiter(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < limit) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // a finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** `task` over every item, at most `limit` at a time; results in item order. */
function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const slot = limiter(limit);
  return Promise.all(items.map((item) => slot(() => task(item))));
}

/** mkdir -p once per folder, however many files go into it. */
function folderMaker(): (folder: string) => Promise<unknown> {
  const made = new Map<string, Promise<unknown>>();
  return (folder) => {
    let making = made.get(folder);
    if (!making) {
      making = mkdir(folder, { recursive: true });
      made.set(folder, making);
    }
    return making;
  };
}

/** Write through a temporary file and a rename, so a watcher never reads half a file. */
async function writeAtomically(path: string, text: string, makeFolder: (folder: string) => Promise<unknown>): Promise<void> {
  await makeFolder(dirname(path));
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/**
 * Writes generated files as their texts become ready (a cold build writes while it still
 * formats), but decides every refusal first, from what is on disk: a refused build writes nothing.
 */
export async function writeOutput(output: OutputInProgress, folders: OutputFolders, memory?: WriteMemory): Promise<WriteSummary> {
  const previous = await readManifest(folders.outputDir);
  const userOwned = new Set(output.scaffolds.map((scaffold) => join(folders.sourceDir, scaffold.path)));
  const written: string[] = [];
  const unchanged: string[] = [];

  const entries = output.paths.map((path) => ({ path, absolute: join(folders.outputDir, path) }));
  for (const { absolute } of entries) {
    if (userOwned.has(absolute)) throw UnableToWriteOutput.dueTo(absolute, 'is both generated and user-owned: keep the output folder apart from your sources');
  }
  // What is on disk now, unless this session wrote the very text it would write again.
  const currents = await mapConcurrently(entries, ioConcurrency, async ({ path, absolute }) => {
    const settled = output.settledText(path);
    return settled !== undefined && knownUnchanged(memory, absolute, settled) ? { known: true as const } : { known: false as const, current: await readIfExists(absolute) };
  });
  entries.forEach(({ path, absolute }, index) => {
    const found = currents[index]!;
    if (!found.known && found.current !== undefined && path !== manifestFileName && !(path in previous.files) && !isGeneratedText(found.current)) {
      throw UnableToWriteOutput.dueTo(absolute, 'exists and was not generated by esgen; move it out of the output folder');
    }
  });

  const makeFolder = folderMaker();
  const ioSlot = limiter(ioConcurrency);
  const writeIfChanged = async ({ path, absolute }: { path: string; absolute: string }, index: number) => {
    const found = currents[index]!;
    const text = await output.text(path);
    if (found.known || found.current === text) {
      unchanged.push(absolute);
      if (!found.known) remember(memory, absolute, text);
      return;
    }
    await ioSlot(() => writeAtomically(absolute, text, makeFolder));
    written.push(absolute);
    remember(memory, absolute, text);
  };
  // The manifest goes last: if writing stops halfway, the old manifest still lists what to clean up.
  const manifestIndex = entries.findIndex(({ path }) => path === manifestFileName);
  const files = entries.map((entry, index) => ({ entry, index })).filter(({ index }) => index !== manifestIndex);
  // In order of readiness, not of path: a file waits for its own text only.
  await Promise.all(files.map(({ entry, index }) => writeIfChanged(entry, index)));
  if (manifestIndex >= 0) await writeIfChanged(entries[manifestIndex]!, manifestIndex);
  written.sort();
  unchanged.sort();

  const removed: string[] = [];
  const generatedPaths = new Set(output.paths);
  for (const path of Object.keys(previous.files).sort()) {
    if (generatedPaths.has(path) || !isSafeRelativePath(path)) continue;
    const absolute = join(folders.outputDir, path);
    if (userOwned.has(absolute)) continue;
    try {
      await unlink(absolute);
      memory?.delete(absolute);
      removed.push(absolute);
      await removeEmptyParents(dirname(absolute), folders.outputDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  const created: string[] = [];
  const kept: string[] = [];
  const missingExports: { path: string; names: string[] }[] = [];
  const scaffoldFolders = folderMaker();
  const outcomes = await mapConcurrently(output.scaffolds, ioConcurrency, async (scaffold) => {
    const absolute = join(folders.sourceDir, scaffold.path);
    const existing = await readIfExists(absolute);
    if (existing !== undefined) {
      const missing = scaffold.requiredExports.filter((name) => !declaresExport(existing, name));
      return { absolute, created: false, missing };
    }
    const text = await scaffold.formattedText();
    await scaffoldFolders(dirname(absolute));
    // 'wx' fails if the file appeared meanwhile: a user-owned file is never overwritten.
    try {
      await writeFile(absolute, text, { flag: 'wx' });
      return { absolute, created: true, missing: [] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { absolute, created: false, missing: [] };
    }
  });
  for (const { absolute, created: isNew, missing } of outcomes) {
    (isNew ? created : kept).push(absolute);
    if (missing.length > 0) missingExports.push({ path: absolute, names: missing });
  }
  const orphaned = await findOrphanedUserFiles(folders.sourceDir, folders.outputDir, removed);
  return { written, unchanged, removed, created, kept, missingExports, orphaned };
}

async function removeEmptyParents(folder: string, stopAt: string): Promise<void> {
  let current = folder;
  while (current !== stopAt && relative(stopAt, current) !== '' && !relative(stopAt, current).startsWith(`..${sep}`)) {
    if ((await readdir(current)).length > 0) return;
    await rmdir(current);
    current = dirname(current);
  }
}
