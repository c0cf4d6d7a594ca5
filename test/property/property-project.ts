/**
 * One random domain as a project on disk, and the steps of the compile property: validate (the
 * real CLI or the library), build, then type-check many projects in ONE compiler run (the runtime
 * sources and lib files are checked once, which keeps a few dozen seeds within a minute).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve as resolvePath, sep } from 'node:path';
import { createBuildSession, formatDiagnostics, loadProject, type BuildSession, type Diagnostic } from '../../generator/index.js';
import { esgenBin, repoRoot, runTscAsync, strictTsconfig } from '../codegen/codegen-support.js';
import type { DomainModel } from './domain-model.js';
import { randomDomain, type DomainOptions } from './random-domain.js';
import { createRandom } from './seeded-random.js';
import { renderReadModelFile, renderSpec } from './spec-text.js';

export interface PropertyProject {
  readonly seed: number;
  readonly dir: string;
  readonly domain: DomainModel;
  /** Spec files by path relative to `dir`, and the config. */
  readonly files: ReadonlyMap<string, string>;
  /** Generated code and user code, relative to `dir`. */
  readonly outputDir: string;
  readonly sourceDir: string;
}

/** Layouts people use: the defaults, and output/source folders elsewhere (relative imports between them differ). */
const layouts = [
  { config: '', output: 'src/generated', source: 'src/domain' },
  { config: 'output: src/generated\nsource: src/domain\n', output: 'src/generated', source: 'src/domain' },
  { config: 'output: generated\nsource: app/model\n', output: 'generated', source: 'app/model' },
  { config: 'output: src/es/gen\nsource: src\n', output: 'src/es/gen', source: 'src' },
] as const;

/** Writes the domain of `seed` as a project under `base/seed-<seed>`. */
export function writeProject(base: string, seed: number, options: DomainOptions = {}): PropertyProject {
  const domain = randomDomain(seed, options);
  const style = createRandom(seed).fork('style');
  const dir = join(base, `seed-${seed}`);
  const layout = style.weighted<(typeof layouts)[number]>([[6, layouts[0]], [1, layouts[1]], [1, layouts[2]], [1, layouts[3]]]);
  const nested = style.chance(0.3);
  const files = new Map<string, string>();
  const specsGlob = nested ? 'domain/**/*.esgen.yaml' : style.pick(['domain/*.esgen.yaml', '"domain/*.esgen.yaml"']);
  files.set('esgen.config.yaml', `specs: ${style.chance(0.2) ? `[${specsGlob}]` : specsGlob}\n${layout.config}`);
  domain.aggregates.forEach((aggregate, i) => {
    const folder = nested && i % 2 === 1 ? 'domain/more' : 'domain';
    files.set(`${folder}/${aggregate.name.toLowerCase()}-${i}.esgen.yaml`, renderSpec(aggregate, style.fork(aggregate.name)));
  });
  for (const file of domain.readModelFiles ?? []) files.set(`domain/${file.name}.esgen.yaml`, renderReadModelFile(file, style.fork(`read-models:${file.name}`)));
  for (const [file, text] of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { seed, dir, domain, files, outputDir: layout.output, sourceDir: layout.source };
}

/** The folder every project of a run lives in needs `"type": "module"` for NodeNext resolution. */
export function prepareBase(base: string): void {
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n');
}

export interface StepResult {
  readonly ok: boolean;
  /** What to print when it is not ok. */
  readonly output: string;
}

/** `esgen validate` through the library: every diagnostic counts (warnings too: a random valid domain has none). */
export async function validateWithLibrary(project: PropertyProject): Promise<StepResult & { diagnostics: readonly Diagnostic[] }> {
  const loaded = await loadProject({ cwd: project.dir, env: {} });
  const diagnostics = loaded.diagnostics;
  return { ok: loaded.ok && diagnostics.length === 0, diagnostics, output: formatDiagnostics(diagnostics, { color: false, sources: loaded.sources }) };
}

export function runCli(args: readonly string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [esgenBin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

export async function validateWithCli(project: PropertyProject): Promise<StepResult> {
  const result = await runCli(['validate'], project.dir);
  return { ok: result.status === 0, output: `esgen validate exited ${result.status}\n${result.output}` };
}

export async function buildWithCli(project: PropertyProject): Promise<StepResult> {
  const result = await runCli(['build'], project.dir);
  return { ok: result.status === 0, output: `esgen build exited ${result.status}\n${result.output}` };
}

/** `esgen check` right after a build: the output is up to date, so generation is deterministic (exit 0, no drift). */
export async function checkWithCli(project: PropertyProject): Promise<StepResult> {
  const result = await runCli(['check'], project.dir);
  return { ok: result.status === 0, output: `esgen check right after esgen build exited ${result.status} (generation is not deterministic?)\n${result.output}` };
}

export async function buildWithLibrary(project: PropertyProject, session: BuildSession = createBuildSession()): Promise<StepResult> {
  try {
    const result = await session.build({ cwd: project.dir, env: {} });
    if (!result.ok) return { ok: false, output: `esgen build (library) refused the specs:\n${formatDiagnostics(result.diagnostics, { color: false, sources: result.sources })}` };
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: `esgen build (library) threw:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
  }
}

/**
 * Type-checks the generated code and user files of every project in one `tsc` run with the
 * strict flags of the issue (strict, noUnusedLocals, noUnusedParameters, plus the repository's
 * noUncheckedIndexedAccess and friends). Returns the compiler's messages per seed.
 */
export async function compileProjects(base: string, projects: readonly PropertyProject[]): Promise<{ perSeed: Map<number, string[]>; status: number | null; output: string }> {
  const include = projects.flatMap((p) => [join(p.dir, p.outputDir, '**/*.ts'), join(p.dir, p.sourceDir, '**/*.ts')]);
  const tsconfig = strictTsconfig(base, include);
  const { status, output } = await runTscAsync(['-p', tsconfig], repoRoot);
  const perSeed = new Map<number, string[]>(projects.map((p) => [p.seed, []]));
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    // `path(line,col): error TS…` starts a message; indented lines continue it.
    const match = /^(.+?)(\(\d+,\d+\): .*)$/.exec(line);
    if (match) {
      const file = resolvePath(repoRoot, match[1]!);
      const owner = projects.find((p) => isInside(p.dir, file));
      current = owner ? perSeed.get(owner.seed) : undefined;
      current?.push(`${relative(owner?.dir ?? repoRoot, file)}${match[2]}`);
    } else if (current && /^\s/.test(line)) current.push(line);
  }
  return { perSeed, status, output };
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return !rel.startsWith('..') && !rel.startsWith(sep);
}

/** Everything needed to replay a failing seed: how, the specs, and what went wrong. */
export function describeFailure(project: PropertyProject, problems: readonly string[]): string {
  const specs = [...project.files].map(([file, text]) => `--- ${file}\n${text}`).join('\n');
  return [
    `seed ${project.seed} failed (replay: ESGEN_SEED=${project.seed} npx vitest run test/property, or npm run fuzz -- --seed ${project.seed} --keep)`,
    ...problems,
    specs,
  ].join('\n\n');
}
