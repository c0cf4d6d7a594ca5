/**
 * `esgen db` and `esgen projections` check the server URL before `pg` reads it: `pg` takes a string
 * that is not a URL for something else and fails with an unrelated DNS error
 * (`getaddrinfo ENOTFOUND base` for "notaurl"). The message names where the URL came from and
 * never prints it (it may hold a password). Run as the real binary.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const dir = mkdtempSync(join(tmpdir(), 'esgen-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function esgen(args: string[], env: Record<string, string | undefined> = {}, cwd = dir) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the database URL of esgen db and esgen projections', () => {
  const cases: [string, { args: string[]; env?: Record<string, string>; want: string }][] = [
    ['a flag that is not a URL', { args: ['db', 'status', '--database-url', 'notaurl'], want: 'esgen: the database URL from --database-url is not a URL: write postgres://user:password@host:5432/database\n' }],
    [
      'DATABASE_URL of another database',
      { args: ['projections', 'status'], env: { DATABASE_URL: 'mysql://app:s3cret@db/app' }, want: 'esgen: the database URL from DATABASE_URL starts with mysql://: write postgres://user:password@host:5432/database\n' },
    ],
    ['a migrate with a bare host name', { args: ['db', 'migrate', '--database-url', 'localhost:5432'], want: 'esgen: the database URL from --database-url starts with localhost://: write postgres://user:password@host:5432/database\n' }],
  ];

  it.each(cases)('refuses %s in one line, without the URL', (_name, { args, env, want }) => {
    const result = esgen(args, env);
    expect(result.stderr).toBe(want);
    expect(result.stderr).not.toContain('s3cret');
    expect(result.status).toBe(1);
  });

  it('names database.url in the config when the URL comes from there', () => {
    const project = join(dir, 'project');
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'esgen.config.yaml'), 'database:\n  url: "pg://wrong"\n');
    const result = esgen(['db', 'status'], {}, project);
    expect(result.stderr).toBe('esgen: the database URL from database.url in the config starts with pg://: write postgres://user:password@host:5432/database\n');
    expect(result.status).toBe(1);
  });
});
