/**
 * Helpers shared by the code-generation suites: the projects whose output is golden, the real
 * CLI and the real compiler as child processes, and throwaway copies of projects.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const esgenBin = join(repoRoot, 'bin/esgen.js');
const tscBin = join(repoRoot, 'node_modules/typescript/bin/tsc');

/** Every project with committed generated output: each example, and the codegen test domain. */
export function goldenProjects(): { name: string; dir: string }[] {
  const examples = readdirSync(join(repoRoot, 'examples'))
    .filter((name) => existsSync(join(repoRoot, 'examples', name, 'esgen.config.yaml')))
    .sort()
    .map((name) => ({ name: `examples/${name}`, dir: join(repoRoot, 'examples', name) }));
  return [...examples, { name: 'test/codegen/fixtures/shop', dir: join(repoRoot, 'test/codegen/fixtures/shop') }];
}

export const shopProject = join(repoRoot, 'test/codegen/fixtures/shop');

export function runEsgen(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [esgenBin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** Runs the real compiler; returns its exit status and output. */
export function runTsc(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tscBin, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function runTscAsync(args: readonly string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tscBin, ...args], { cwd });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/**
 * A tsconfig in a temp folder that type-checks `include` (absolute globs) strictly, with
 * `esgen/runtime` resolving to the runtime sources, like an application that installed esgen.
 */
export function strictTsconfig(folder: string, include: readonly string[], extraOptions: Readonly<Record<string, unknown>> = {}): string {
  const path = join(folder, 'tsconfig.strict.json');
  writeFileSync(
    path,
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        strict: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        noFallthroughCasesInSwitch: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules/@types')],
        paths: { 'esgen/runtime': [join(repoRoot, 'runtime/index.ts')] },
        ...extraOptions,
      },
      include: include,
    }),
  );
  return path;
}

/** A throwaway copy of a project (specs, config and committed output). */
export function copyProject(dir: string): { dir: string; dispose(): void } {
  const base = mkdtempSync(join(tmpdir(), 'esgen-codegen-'));
  const target = join(base, 'project');
  cpSync(dir, target, { recursive: true });
  // Type-checks of the copy run with "type": "module" like the package itself.
  writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n');
  return { dir: target, dispose: () => rmSync(base, { recursive: true, force: true }) };
}

/** Every file under a folder, relative, sorted. */
export function listFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(folder, path).split('\\').join('/'));
    }
  };
  walk(folder);
  return files.sort();
}

/** Modification times of every file under a folder, by relative path. */
export function mtimes(folder: string): Record<string, number> {
  return Object.fromEntries(listFiles(folder).map((file) => [file, statSync(join(folder, file)).mtimeMs]));
}
