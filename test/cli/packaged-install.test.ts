/**
 * The published package in a project of its own, as a new user gets it: `npm pack` (prepack
 * builds dist/ from the sources), then in a fresh `npm init -y` project `npm install <tarball>`,
 * `npx esgen init`, `npm install` of what init added, `npm run esgen:build`, `tsc` (the TypeScript
 * init installs, 7.x, and this repository's 5.x over the same tsconfig.json), the project's main
 * script on embedded PGlite, `npm run dev` as init's next step prints it, `npm test` (the
 * business-rule test init scaffolds) and `npm run esgen:check`.
 *
 * Slow (a build and two installs): minutes on a loaded machine. Installs prefer the local npm
 * cache (`--prefer-offline`), so after the first run nothing is downloaded.
 *
 * Runs once per `npm test`: in the PGlite pass. It uses no database server, so under DATABASE_URL
 * (the server pass of .ci/run) it is skipped with that reason. Without npm it is skipped, saying so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMainOutput } from '../support/init-project-output.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const minutes = (n: number) => n * 60_000;

/**
 * The environment of every child: no colour, and none of the variables `npm test` sets for its
 * own script (npm_package_*, npm_lifecycle_*, npm_config_* of this repository), which would make
 * the nested npm commands act on this repository; the npm cache and registry settings are kept.
 */
const env = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter(
    ([name]) => name !== 'FORCE_COLOR' && name !== 'NODE_ENV' && (!name.toLowerCase().startsWith('npm_') || /^npm_config_(cache|registry|userconfig)$/i.test(name)),
  ),
);

const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8', env });
const skipReason = process.env.DATABASE_URL
  ? 'it uses no database: it ran in the PGlite pass of npm test'
  : npmVersion.error || npmVersion.status !== 0
    ? `npm is not available (${npmVersion.error?.message ?? npmVersion.stderr.trim()})`
    : undefined;
if (skipReason !== undefined) console.warn(`packaged-install.test.ts skipped: ${skipReason}`);

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env, timeout: minutes(8) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}` };
}

const install = ['--prefer-offline', '--no-audit', '--no-fund'];

describe.skipIf(skipReason !== undefined)(`the packed esgen in a new project${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let work: string;
  let project: string;
  let tarball: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'esgen-packaged-'));
    // Pack a copy, as package-contents.test.ts does: prepack rebuilds dist/, and the shared dist/
    // of this repository (which other suites run) is never touched.
    const copy = join(work, 'esgen');
    for (const entry of ['package.json', 'README.md', 'LICENSE', 'tsconfig.base.json', 'tsconfig.build.json', 'bin', 'cli', 'generator', 'runtime', 'schemas', 'templates', 'docs']) {
      try {
        cpSync(join(root, entry), join(copy, entry), { recursive: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const pack = run('npm', ['pack', '--json', '--pack-destination', work], copy);
    expect(pack.status, pack.output).toBe(0);
    const [report] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ filename: string }];
    tarball = join(work, report.filename);

    project = join(work, 'app');
    mkdirSync(project);
    const init = run('npm', ['init', '-y'], project);
    expect(init.status, init.output).toBe(0);
  }, minutes(5));

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs from the tarball', () => {
    const result = run('npm', ['install', tarball, ...install], project);
    expect(result.status, result.output).toBe(0);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.esgen).toMatch(/^file:.*esgen-\d+\.\d+\.\d+\.tgz$/);
  }, minutes(8));

  it('esgen init completes the npm init project and prints the next steps', () => {
    const result = run('npx', ['--no', 'esgen', 'init'], project);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toContain('created src/main.ts');
    expect(result.stdout).toContain('changed "type" from "commonjs" to "module"');
    expect(result.stdout).toContain('kept your version of esgen: file:');
    expect(result.stdout).toMatch(/\nNext:\n {2}npm install .*\n {2}npm run dev .*\n$/);
  });

  it('npm install brings what init added (tsx, typescript, @types/node)', () => {
    const result = run('npm', ['install', ...install], project);
    expect(result.status, result.output).toBe(0);
    for (const name of ['tsx', 'typescript', '@types/node']) {
      expect(() => readFileSync(join(project, 'node_modules', name, 'package.json')), name).not.toThrow();
    }
  }, minutes(8));

  it('npm run esgen:build generates the code and keeps the class init wrote', () => {
    const result = run('npm', ['run', 'esgen:build'], project);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toContain('wrote   src/generated/task/task.base.ts');
    expect(result.stdout).toContain('user files: 0 created, 1 kept');
  });

  it('type-checks with the TypeScript init installs and with TypeScript 5', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/typescript/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toMatch(/^7\./);
    const own = run('npx', ['--no', 'tsc', '--noEmit'], project);
    expect(own.status, `TypeScript ${installed.version}: ${own.output}`).toBe(0);
    const five = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project], project);
    expect(five.status, `TypeScript 5: ${five.output}`).toBe(0);
  }, minutes(2));

  it('npm start runs src/main.ts on PGlite: a saved event, a loaded aggregate, a queried read model', () => {
    const result = run('npm', ['start', '--silent'], project);
    expect(result.status, result.output).toBe(0);
    expectMainOutput(result.stdout);
  }, minutes(2));

  it('npm run dev builds, runs main.ts and keeps watching', async () => {
    const child = spawn('npm', ['run', 'dev', '--silent'], { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + minutes(1.5);
      while (!output.includes('open tasks assigned to ada: 1') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(output).toContain('esgen build:');
      expect(output).toContain('open tasks assigned to ada: 1');
      // Still running: tsx watch waits for changes.
      expect(child.exitCode, output).toBe(null);
    } finally {
      // The whole process group: npm, sh, tsx and its watched child.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }, minutes(2));

  it('npm test runs the business-rule test init scaffolded (esgen/testing, Node test runner)', () => {
    const result = run('npm', ['test', '--silent'], project);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toMatch(/^# pass 3$/m);
    expect(result.stdout).toMatch(/^# fail 0$/m);
  }, minutes(2));

  it('npm run esgen:check finds the generated code up to date', () => {
    const result = run('npm', ['run', 'esgen:check'], project);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toContain('esgen check: generated code is up to date');
  });
});
