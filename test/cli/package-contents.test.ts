/**
 * What `npm pack` puts in the tarball a team installs: a fresh build of the current sources (no
 * compiled leftovers of deleted modules), the entry points `exports` names, the JSON schemas the
 * `$schema` lines of `esgen init` point at, the templates, and the docs the README and the init
 * spec refer to. Packs a copy of the package so the shared dist/ is never touched.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface PackageJson {
  readonly bin: Record<string, string>;
  readonly exports: Record<string, string | Record<string, string>>;
}

describe('npm pack', () => {
  let copy: string;
  let files: Set<string>;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'esgen-pack-'));
    for (const entry of ['package.json', 'README.md', 'tsconfig.base.json', 'tsconfig.build.json', 'bin', 'cli', 'generator', 'runtime', 'schemas', 'templates', 'docs']) {
      cpSync(join(root, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // A compiled module whose source was deleted since the last build.
    mkdirSync(join(copy, 'dist/generator/emit'), { recursive: true });
    writeFileSync(join(copy, 'dist/generator/emit/emit-removed-long-ago.js'), 'export {};\n');
    const output = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [report] = JSON.parse(output) as [{ files: { path: string }[] }];
    files = new Set(report.files.map((file) => file.path));
  }, 120_000);
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('ships a fresh build: every compiled module has a source, stale ones are gone', () => {
    expect(files.has('dist/generator/emit/emit-removed-long-ago.js')).toBe(false);
    const compiled = [...files].filter((path) => path.startsWith('dist/') && path.endsWith('.js'));
    expect(compiled.length).toBeGreaterThan(50);
    const sourceless = compiled.filter((path) => !existsSync(join(root, path.slice('dist/'.length).replace(/\.js$/, '.ts'))));
    expect(sourceless).toEqual([]);
  });

  it('contains the bin, every exports target with its types, the schemas and the templates', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
    const targets = [...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)))];
    for (const target of targets) expect(files, target).toContain(posix.normalize(target));
    expect(files).toContain('dist/cli/main.js');
    for (const file of ['schemas/esgen.schema.json', 'schemas/esgen.config.schema.json', 'templates/init/esgen.config.yaml', 'templates/init/domain/task.esgen.yaml', 'templates/scaffold/aggregate.ts.hbs']) {
      expect(files).toContain(file);
    }
  });

  it('resolves the $schema lines esgen init writes to files in the package', () => {
    for (const [template, folderInProject] of [['templates/init/esgen.config.yaml', '.'], ['templates/init/domain/task.esgen.yaml', 'domain']] as const) {
      const schemaLine = /\$schema=(\S+)/.exec(readFileSync(join(root, template), 'utf8'))?.[1];
      expect(schemaLine, template).toBeDefined();
      const inProject = posix.normalize(posix.join(folderInProject, schemaLine!));
      expect(inProject.startsWith('node_modules/esgen/'), inProject).toBe(true);
      expect(files).toContain(inProject.slice('node_modules/esgen/'.length));
    }
  });

  it('ships the user documentation the README links to, not the contributors notes', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((match) => match[1]!);
    expect(linked.length).toBeGreaterThan(0);
    for (const doc of linked) expect(files).toContain(doc);
    expect(readFileSync(join(root, 'templates/init/domain/task.esgen.yaml'), 'utf8')).toContain('docs/spec-reference.md');
    expect(files).toContain('docs/spec-reference.md');
    expect([...files].filter((path) => path.startsWith('docs/contributing'))).toEqual([]);
  });
});
