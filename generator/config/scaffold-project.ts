import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { packageRoot } from './package-root.js';
import { planPackageJson } from './init-package-json.js';

export type ScaffoldResult =
  | {
      readonly ok: true;
      /** Files created, relative to the project folder. */
      readonly written: readonly string[];
      /** Files that existed and were left as they are. */
      readonly skipped: readonly string[];
      /** package.json: created, updated (with what changed) or unchanged. */
      readonly packageJson: { readonly status: 'created' | 'updated' | 'unchanged'; readonly changes: readonly string[]; readonly kept: readonly string[] };
    }
  | { readonly ok: false; readonly problem: string };

/**
 * Template files stored under another name in the package: npm leaves `.gitignore` files out of
 * tarballs, so the template is `gitignore` and is written as `.gitignore`.
 */
const renamedTemplates: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/**
 * Turns `dir` into a project that runs: copies templates/init (config, one spec, the user's Task
 * class, src/main.ts, tsconfig.json, .gitignore) and creates or completes package.json.
 *
 * Never overwrites: a file that exists is skipped and reported; package.json is the one file
 * edited, and only by adding what is missing (see planPackageJson). A folder that already has
 * esgen.config.yaml is an esgen project: nothing is written at all.
 */
export async function scaffoldProject(dir: string): Promise<ScaffoldResult> {
  if (await exists(join(dir, 'esgen.config.yaml'))) {
    return { ok: false, problem: '`esgen.config.yaml` already exists: this folder is an esgen project already' };
  }
  const root = packageRoot();
  const templates = join(root, 'templates', 'init');
  const esgenVersion = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;

  const packageJsonPath = join(dir, 'package.json');
  const existingPackageJson = (await exists(packageJsonPath)) ? await readFile(packageJsonPath, 'utf8') : undefined;
  const planned = planPackageJson(existingPackageJson, { projectName: basename(dir), esgenVersion });
  if (!planned.ok) return { ok: false, problem: planned.problem };

  // In the order they are reported: sorted by the name they get in the project.
  const files = (await listFiles(templates)).sort((a, b) => ((renamedTemplates[a] ?? a) < (renamedTemplates[b] ?? b) ? -1 : 1));
  const written: string[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const name = renamedTemplates[file] ?? file;
    const target = join(dir, name);
    if (await exists(target)) {
      skipped.push(name);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    // `wx`: a file that appeared since the check above is still not overwritten.
    await writeFile(target, await readFile(join(templates, file)), { flag: 'wx' });
    written.push(name);
  }

  const { plan } = planned;
  if (plan.text !== undefined) await writeFile(packageJsonPath, plan.text, existingPackageJson === undefined ? { flag: 'wx' } : {});
  const status = existingPackageJson === undefined ? 'created' : plan.text === undefined ? 'unchanged' : 'updated';
  return { ok: true, written, skipped, packageJson: { status, changes: plan.changes, kept: plan.kept } };
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
