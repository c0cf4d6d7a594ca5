/**
 * Writes the catalogue's pages into their folder, touching only what changed, and removes pages
 * an earlier run wrote that no longer exist (they carry the banner). A Markdown file there
 * without the banner is the user's: it is never overwritten or removed.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UnableToWriteOutput } from '../write/write-output.js';
import { catalogueBanner } from './render-catalogue.js';

export interface CatalogueWrite {
  /** Output-relative paths, sorted. */
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/** In check mode nothing is written: `written`/`removed` are what a run would change. */
export async function writeCatalogue(outDir: string, pages: ReadonlyMap<string, string>, options: { readonly check?: boolean } = {}): Promise<CatalogueWrite> {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [path, text] of pages) {
    const target = join(outDir, path);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === text) {
      unchanged.push(path);
      continue;
    }
    if (current !== undefined && !current.startsWith(catalogueBanner)) {
      throw UnableToWriteOutput.dueTo(target, 'exists and was not written by esgen docs: move it, or choose another folder with --out');
    }
    if (!options.check) {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    written.push(path);
  }
  const removed: string[] = [];
  for (const path of await markdownFiles(outDir)) {
    const relativePath = relative(outDir, path).split('\\').join('/');
    if (pages.has(relativePath)) continue;
    const text = await readFile(path, 'utf8');
    if (!text.startsWith(catalogueBanner)) continue;
    if (!options.check) await rm(path);
    removed.push(relativePath);
  }
  return { written: written.sort(), unchanged: unchanged.sort(), removed: removed.sort() };
}

async function markdownFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await markdownFiles(path)));
    else if (entry.name.endsWith('.md')) files.push(path);
  }
  return files;
}
