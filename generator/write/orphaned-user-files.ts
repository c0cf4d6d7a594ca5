/**
 * User files left behind by a deleted spec. esgen never deletes a user-owned file, so when a spec
 * goes away its generated modules are removed but the user's class stays, importing a module that
 * no longer exists. The build names such files and says what to do instead of leaving the user to
 * find out from the compiler.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface OrphanedUserFile {
  /** Absolute path of the user's file. */
  readonly path: string;
  /** Absolute paths of the generated modules it imports that this build removed. */
  readonly imports: readonly string[];
}

/** Relative module specifiers in `import … from '…'`, `export … from '…'` and `import('…')`. */
const relativeImport = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.\.?\/[^'"]+)['"]/g;

/** A module path without its extension, the way TypeScript resolves `./x.js` to `./x.ts`. */
function moduleKey(path: string): string {
  return path.replace(/\.(?:d\.ts|[cm]?[jt]sx?)$/, '');
}

/**
 * The `.ts` files under `sourceDir` (outside `outputDir`) that import one of the `removed`
 * generated files. Only called when a build removed something, so a normal build reads nothing.
 */
export async function findOrphanedUserFiles(sourceDir: string, outputDir: string, removed: readonly string[]): Promise<OrphanedUserFile[]> {
  if (removed.length === 0) return [];
  const removedByKey = new Map<string, string>();
  for (const path of removed) {
    removedByKey.set(moduleKey(path), path);
    // `import … from '../generated/order/index.js'` and `from '../generated/order'` alike.
    if (/\/index\.[jt]s$/.test(path)) removedByKey.set(dirname(path), path);
  }
  const orphaned: OrphanedUserFile[] = [];
  for (const file of await sourceFiles(sourceDir, outputDir)) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const hits = new Set<string>();
    for (const [, specifier] of text.matchAll(relativeImport)) {
      const target = resolve(dirname(file), specifier!);
      const hit = removedByKey.get(moduleKey(target)) ?? removedByKey.get(target);
      if (hit) hits.add(hit);
    }
    if (hits.size > 0) orphaned.push({ path: file, imports: [...hits].sort() });
  }
  return orphaned.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function sourceFiles(folder: string, outputDir: string): Promise<string[]> {
  if (folder === outputDir) return [];
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) files.push(...(await sourceFiles(path, outputDir)));
    } else if (/\.[cm]?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}
