/** `esgen validate`, run as the real binary (`node bin/esgen.js`) against dist/. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const corpus = join(root, 'test/spec/invalid');
const temps: string[] = [];

function esgen(args: string[], cwd = root) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'esgen-cli-'));
  temps.push(dir);
  return dir;
}

/** A stack trace line, as Node prints them. */
const stackLine = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('esgen validate', () => {
  it.each(['orders', 'bank-account', 'hotel-booking'])('exits 0 on examples/%s', (example) => {
    const result = esgen(['validate'], join(root, 'examples', example));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^esgen: specs are valid \(\d+ aggregates?, \d+ events, \d+ read models\)\n$/);
    expect(result.status).toBe(0);
  });

  it('finds the project through --config and prints JSON with --format json', () => {
    const result = esgen(['validate', '--config', 'examples/orders/esgen.config.yaml', '--format', 'json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, errorCount: 0, warningCount: 0, diagnostics: [] });
  });

  it('reports a missing config with ESG001 and exit 1', () => {
    const result = esgen(['validate'], tempDir());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('ESG001');
    expect(result.stderr).toContain('esgen init');
    expect(result.stderr).not.toMatch(stackLine);
  });

  const sample = [
    'esg101-brackets-inside-flow-mapping',
    'esg104-alias-bomb',
    'esg006-not-utf8',
    'esg106-list-document',
    'esg111-unknown-top-level-key',
    'esg135-unknown-type-typo',
    'esg142-upcast-does-not-produce-field',
    'esg147-key-missing-for-event',
    'esg151-read-model-on-foreign-event',
    'many-errors-across-files',
  ];

  /** Copies a corpus case into a project folder with a config, as a user would have it. */
  function projectFor(name: string): string {
    const dir = tempDir();
    cpSync(join(corpus, name), join(dir, 'domain'), { recursive: true });
    rmSync(join(dir, 'domain', 'expected.txt'));
    writeFileSync(join(dir, 'esgen.config.yaml'), 'specs: domain/*.esgen.yaml\n');
    return dir;
  }

  it.each(sample)('%s: exits 1 with located diagnostics and no stack trace', (name) => {
    const dir = projectFor(name);
    const result = esgen(['validate'], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(stackLine);
    // The same diagnostics as the golden file, paths now relative to the cwd.
    const expected = readFileSync(join(corpus, name, 'expected.txt'), 'utf8')
      .split('\n')
      .filter((line) => /^\S+:\d+:\d+ /.test(line))
      .map((line) => {
        const [, location, code] = /^(\S+:\d+:\d+) error (ESG\d{3}) /.exec(line)!;
        return `domain/${location} error ${code}`;
      });
    expect(expected.length).toBeGreaterThan(0);
    for (const head of expected) expect(result.stderr).toContain(head);
    expect(result.stderr).toMatch(/\n\d+ errors?\n$/);
  });

  it('prints the same diagnostics as JSON with --format json, exit 1', () => {
    const dir = projectFor('many-errors-across-files');
    const result = esgen(['validate', '--format', 'json'], dir);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; errorCount: number; diagnostics: { code: string; file: string; line: number; column: number; message: string }[] };
    expect(report.ok).toBe(false);
    expect(report.errorCount).toBe(5);
    expect(report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      'domain/broken.esgen.yaml:3:1 ESG101',
      'domain/invoice.esgen.yaml:3:20 ESG111',
      'domain/order.esgen.yaml:13:23 ESG135',
      'domain/order.esgen.yaml:14:14 ESG138',
      'domain/order.esgen.yaml:14:35 ESG137',
    ]);
  });

  it('shows a code frame with a caret under the offending node and the hint', () => {
    const result = esgen(['validate'], projectFor('esg135-unknown-type-typo'));
    expect(result.stderr).toContain(
      [
        'domain/order.esgen.yaml:7:19 error ESG135 unknown type `OrderStatsu`',
        '  6 |   total: { type: number, default: 0 }',
        '  7 |   status: { type: OrderStatsu, default: pending }',
        '    |                   ^^^^^^^^^^^',
        '  hint: did you mean `OrderStatus`?',
      ].join('\n'),
    );
  });

  it('rejects an unknown --format', () => {
    const result = esgen(['validate', '--format', 'xml', '--cwd', 'examples/orders']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown format');
  });
});

// esgen init: test/cli/init-project.test.ts.

describe('esgen --help', () => {
  it('lists init and validate', () => {
    const result = esgen(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/init \[options\] \[dir\]/);
    expect(result.stdout).toMatch(/validate \[options\]/);
  });
});
