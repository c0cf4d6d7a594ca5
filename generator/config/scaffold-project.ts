import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from './package-root.js';

export type ScaffoldResult = { readonly ok: true; readonly written: readonly string[] } | { readonly ok: false; readonly existing: readonly string[] };

/**
 * Copies templates/init into `dir`: esgen.config.yaml and an example spec. Writes nothing when
 * any target file exists (checked up front, and again by the `wx` flag at write time).
 */
export async function scaffoldProject(dir: string): Promise<ScaffoldResult> {
  const templates = join(packageRoot(), 'templates', 'init');
  const files = (await listFiles(templates)).sort();
  const existing: string[] = [];
  for (const file of files) {
    if (await exists(join(dir, file))) existing.push(file);
  }
  if (existing.length > 0) return { ok: false, existing };
  for (const file of files) {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await readFile(join(templates, file)), { flag: 'wx' });
  }
  return { ok: true, written: files };
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(root, join(dir, entry.name)) : [relative(root, join(dir, entry.name)).split('\\').join('/')])),
  );
  return nested.flat();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
