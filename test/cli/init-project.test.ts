/**
 * `esgen init` makes a project that runs, as the real binary (`node bin/esgen.js`) against dist/.
 * The project is linked to this package and its tools (no npm install), so the whole path from
 * init to a saved event and a queried read model runs in seconds; the same path through a packed
 * tarball and `npm install` is test/cli/packaged-install.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expectMainOutput } from '../support/init-project-output.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const temps: string[] = [];

/** Plain output: NO_COLOR, and no FORCE_COLOR (Node warns on stderr when both are set). */
const env = Object.fromEntries(Object.entries({ ...process.env, NO_COLOR: '1' }).filter(([name]) => name !== 'FORCE_COLOR'));

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const esgen = (args: string[], cwd: string) => run(process.execPath, [bin, ...args], cwd);

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'esgen-init-'));
  temps.push(dir);
  return dir;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** package.json as `npm init -y` writes it (npm 11). */
const npmInitPackageJson = `{
  "name": "my-app",
  "version": "1.0.0",
  "description": "",
  "main": "index.js",
  "scripts": {
    "test": "echo \\"Error: no test specified\\" && exit 1"
  },
  "keywords": [],
  "author": "",
  "license": "ISC",
  "type": "commonjs"
}
`;

const templateFiles = ['.gitignore', 'domain/task.esgen.yaml', 'esgen.config.yaml', 'src/domain/task.ts', 'src/main.ts', 'test/task-rules.test.ts', 'tsconfig.json'];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('esgen init', () => {
  it('makes an empty folder a project: config, spec, user class, main.ts, tsconfig.json, package.json', () => {
    const dir = tempDir();
    const init = esgen(['init'], dir);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    for (const file of templateFiles) expect(init.stdout).toContain(`created ${file}\n`);
    expect(init.stdout).toContain('created package.json');
    expect(init.stdout).toMatch(/\nNext:\n {2}npm install .*\n {2}npm run dev .*\n$/);
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'domain', 'esgen.config.yaml', 'package.json', 'src', 'test', 'tsconfig.json']);

    const pkg = readJson(join(dir, 'package.json'));
    expect(pkg.name).toBe(dir.split('/').pop()!.toLowerCase());
    expect(pkg.type).toBe('module');
    expect(pkg.private).toBe(true);
    expect(pkg.scripts).toMatchObject({ 'esgen:build': 'esgen build', 'esgen:check': 'esgen check', dev: 'esgen build && tsx watch src/main.ts', start: 'tsx src/main.ts', test: 'tsx --test test/*.test.ts' });
    expect(pkg.dependencies).toEqual({ esgen: `^${version}` });
    expect(Object.keys(pkg.devDependencies as object).sort()).toEqual(['@types/node', 'tsx', 'typescript']);

    const spec = readFileSync(join(dir, 'domain/task.esgen.yaml'), 'utf8');
    expect(spec.split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/esgen/schemas/esgen.schema.json');
    const validate = esgen(['validate'], dir);
    expect(validate.stdout).toBe('esgen: specs are valid (1 aggregate, 3 events, 1 read model)\n');
    expect(validate.status).toBe(0);
  });

  it('completes a fresh `npm init -y` package.json: "type" becomes "module" (reported), the rest is kept', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), npmInitPackageJson);
    const init = esgen(['init'], dir);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('updated package.json:\n  changed "type" from "commonjs" to "module"');
    expect(init.stdout).toContain('  added dependency esgen: ^');
    expect(init.stdout).toContain('  added dev dependency typescript: ^');
    const before = JSON.parse(npmInitPackageJson) as Record<string, unknown>;
    const after = readJson(join(dir, 'package.json'));
    // Every key the user had is still there, in the same order, with the same value (but type).
    expect(Object.keys(after).slice(0, Object.keys(before).length)).toEqual(Object.keys(before));
    for (const key of Object.keys(before).filter((key) => key !== 'type' && key !== 'scripts')) expect(after[key]).toEqual(before[key]);
    expect(after.type).toBe('module');
    // npm init's placeholder test script is replaced (and reported); a real one would be kept.
    expect(init.stdout).toContain('  replaced the placeholder test script of npm init: tsx --test test/*.test.ts');
    expect((after.scripts as Record<string, string>).test).toBe('tsx --test test/*.test.ts');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toMatch(/^\{\n {2}"name": "my-app",\n[\s\S]*\}\n$/);
  });

  it('skips files that exist and keeps the user scripts and versions, saying so', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', type: 'module', scripts: { dev: 'node server.js' }, devDependencies: { typescript: '5.4.5' } }, null, 4));
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    const init = esgen(['init'], dir);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('skipped tsconfig.json (it exists; left as it is)');
    expect(init.stdout).toContain('  kept your script dev: node server.js');
    expect(init.stdout).toContain('  kept your version of typescript: 5.4.5');
    // With the user's own dev script, the printed next step is one that still works.
    expect(init.stdout).toContain('npm run esgen:build && npm start');
    expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).toBe('{ "compilerOptions": { "strict": true } }\n');
    const pkg = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(pkg).toMatch(/^\{\n {4}"name": "mine",/);
    const scripts = (JSON.parse(pkg) as { scripts: Record<string, string> }).scripts;
    expect(scripts.dev).toBe('node server.js');
    expect(scripts['esgen:build']).toBe('esgen build');
  });

  it('scaffolds into a new folder given as argument', () => {
    const dir = tempDir();
    const init = esgen(['init', 'my-domain'], dir);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('Next:\n  cd my-domain\n  npm install');
    expect(readJson(join(dir, 'my-domain/package.json')).name).toBe('my-domain');
    expect(esgen(['validate'], join(dir, 'my-domain')).status).toBe(0);
    // With --cwd, the next steps still start from where the user is.
    const viaCwd = esgen(['init', '--cwd', 'elsewhere', 'my app'], dir);
    expect(viaCwd.status).toBe(0);
    expect(viaCwd.stdout).toContain('Next:\n  cd "elsewhere/my app"\n  npm install');
    expect(readJson(join(dir, 'elsewhere/my app/package.json')).name).toBe('my-app');
  });

  it.each([
    ['an existing esgen.config.yaml', 'esgen.config.yaml', 'specs: mine/*.esgen.yaml\n', '`esgen.config.yaml` already exists'],
    ['a package.json that is not JSON', 'package.json', '{ "name": "broken", }\n', 'package.json is not valid JSON'],
    ['a package.json with another module type', 'package.json', '{ "type": "umd" }\n', 'package.json has "type": "umd"'],
  ])('refuses %s and writes nothing', (_name, file, content, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, file), content);
    const result = esgen(['init'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Nothing was written.');
    expect(readdirSync(dir)).toEqual([file]);
    expect(readFileSync(join(dir, file), 'utf8')).toBe(content);
  });

  it('makes a project that builds, type-checks and runs: a saved event, a loaded aggregate, a queried read model', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), npmInitPackageJson);
    expect(esgen(['init'], dir).status).toBe(0);
    // What `npm install` would provide, linked: this package and the tools it was tested with.
    mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules/esgen'), 'dir');
    symlinkSync(join(root, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');

    const build = run(process.execPath, [join(dir, 'node_modules/esgen/bin/esgen.js'), 'build'], dir);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    // The class init wrote is the user's: build keeps it.
    expect(build.stdout).toContain('user files: 0 created, 1 kept');
    expect(existsSync(join(dir, 'src/generated/task/task.base.ts'))).toBe(true);

    const tsc = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], dir);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const main = run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/main.ts'], dir);
    expect(main.stderr).toBe('');
    expect(main.status).toBe(0);
    expectMainOutput(main.stdout);

    // The business-rule test init scaffolds passes (given/when/then from esgen/testing, in memory).
    const rules = run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), '--test', 'test/task-rules.test.ts'], dir);
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    expect(rules.stdout).toMatch(/^# pass 3$/m);
    expect(rules.stdout).toMatch(/^# fail 0$/m);

    const check = esgen(['check'], dir);
    expect(check.stdout).toMatch(/^esgen check: generated code is up to date/);
    expect(check.status).toBe(0);
  });
});

describe('the README tutorial', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Five minutes');
  const tutorial = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = (language: string) => [...tutorial.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);

  it('shows exactly what esgen init prints in an empty folder', () => {
    expect(start).toBeGreaterThan(-1);
    const dir = join(tempDir(), 'my-app');
    mkdirSync(dir);
    const init = esgen(['init'], dir);
    expect(init.status).toBe(0);
    expect(blocks('text')).toContain(init.stdout);
  });

  it('quotes the code init writes, line for line (comments at line ends aside)', () => {
    const written = ['src/main.ts', 'src/domain/task.ts', 'test/task-rules.test.ts'].map((file) => readFileSync(join(root, 'templates/init', file), 'utf8')).join('\n');
    const lines = new Set(written.split('\n').map((line) => line.trim()));
    const quoted = blocks('ts').flatMap((block) => block.split('\n').map((line) => line.replace(/\s+\/\/ .*$/, '').trim()).filter((line) => line !== ''));
    expect(quoted.length).toBeGreaterThan(10);
    expect(quoted.filter((line) => !lines.has(line))).toEqual([]);
  });

  it('shows the output main.ts prints', () => {
    const output = blocks('text').find((block) => block.startsWith('saved Task'));
    expect(output).toBeDefined();
    expectMainOutput(output!);
  });
});
