import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPgClient } from '../../runtime/pg-client.js';
import { migrations } from '../../runtime/migrations/index.js';
import { onServer, serverUrl } from '../support/database.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');

/** Runs the real CLI; resolves with exit code and output instead of throwing on exit 1. */
async function esgen(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const childEnv = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env: childEnv as NodeJS.ProcessEnv });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** dist/ is what bin/esgen.js runs: compile when the command or the migrations are newer. */
async function ensureBuilt(): Promise<void> {
  const built = join(root, 'dist/cli/commands/db.js');
  const sources = ['cli/commands/db.ts', 'cli/commands/index.ts', 'runtime/migrations/index.ts', 'runtime/migrations/migrate.ts'];
  const stale = !existsSync(built) || sources.some((file) => statSync(join(root, file)).mtimeMs > statSync(built).mtimeMs);
  if (stale) await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root }).catch(() => undefined);
  if (!existsSync(built)) throw new Error('npm run build did not produce dist/cli/commands/db.js');
}

const versions = migrations.map((m) => `${String(m.version).padStart(4, '0')}-${m.name}`);

describe('esgen db', () => {
  let project: string;
  beforeAll(async () => {
    await ensureBuilt();
    project = mkdtempSync(join(tmpdir(), 'esgen-db-'));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  // Each PGlite start costs seconds on a busy CI machine: keep CLI runs on PGlite few.
  it('migrates embedded PGlite in .esgen/pgdata by default, then lists the migrations as applied', async () => {
    const first = await esgen(['db', 'migrate'], project);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`esgen: applied ${versions.length} migrations to schema public on PGlite ${join(project, '.esgen/pgdata')}: ${versions.join(', ')}\n`);
    const status = await esgen(['db', 'status'], project);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')[0]).toBe(`schema public on PGlite ${join(project, '.esgen/pgdata')}`);
    expect(status.stdout.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim().split(/\s+/).slice(0, 2))).toEqual(
      versions.map((v) => [v, 'applied']),
    );
  });

  it('takes the data folder and the schema from esgen.config.yaml', async () => {
    const configured = mkdtempSync(join(tmpdir(), 'esgen-db-config-'));
    try {
      writeFileSync(join(configured, 'esgen.config.yaml'), 'database:\n  dataDir: state/db\n  schema: billing\n');
      const migrated = await esgen(['db', 'migrate'], configured);
      expect(migrated.stdout).toContain(`to schema billing on PGlite ${join(configured, 'state/db')}: `);
      expect(existsSync(join(configured, 'state/db', 'PG_VERSION'))).toBe(true);
    } finally {
      rmSync(configured, { recursive: true, force: true });
    }
  });

  it('rejects a bad schema name with ESG205 and exit code 1, creating nothing', async () => {
    const result = await esgen(['db', 'migrate', '--schema', 'Robert"; drop'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^esgen: ESG205 The schema name "Robert\\"; drop" is not a valid identifier/);
  });

  it('reports an unreachable server in one line with exit code 1, without the password', async () => {
    const result = await esgen(['db', 'status'], project, { DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^esgen: ESG212 database error on postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere: Could not connect to PostgreSQL \(connect ECONNREFUSED 127\.0\.0\.1:1\); nothing was committed/,
    );
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.runIf(onServer)('migrates a server schema given by --database-url and --schema', async () => {
    const schema = `cli_${process.pid}_${Date.now() % 100000}`;
    const client = await createPgClient({ connectionString: serverUrl! });
    try {
      const result = await esgen(['db', 'migrate', '--database-url', serverUrl!, '--schema', schema], project);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`to schema ${schema} on `);
      const applied = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(applied.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.close();
    }
  });
});
