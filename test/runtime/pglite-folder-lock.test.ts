import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUse } from '../../runtime/errors.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';

const holder = fileURLToPath(new URL('./fixtures/hold-pglite-folder.ts', import.meta.url));
const folders: string[] = [];
const freshFolder = () => {
  const parent = mkdtempSync(join(tmpdir(), 'esgen-lock-'));
  folders.push(parent);
  return join(parent, 'nested', 'pgdata');
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('a PGlite data folder', () => {
  it('is created with its parents, and refuses a second open while the first is open', async () => {
    const dataDir = freshFolder();
    const first = await createPgliteClient({ dataDir });
    await first.query('CREATE TABLE kept (value int)');
    await first.query('INSERT INTO kept VALUES (7)');
    const second = await createPgliteClient({ dataDir }).then(() => undefined, (error: unknown) => error);
    expect(second).toBeInstanceOf(DatabaseInUse);
    expect(second).toMatchObject({ code: 'ESG209', pid: process.pid });
    await first.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const reopened = await createPgliteClient({ dataDir });
    expect((await reopened.query<{ value: number }>('SELECT value FROM kept')).rows).toEqual([{ value: 7 }]);
    await reopened.close();
  });

  it('opens through a symbolic link (also a dangling one), and locks the real folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'esgen-link-'));
    folders.push(parent);
    mkdirSync(join(parent, 'real'));
    symlinkSync(join(parent, 'real'), join(parent, 'link'));
    symlinkSync(join(parent, 'real'), join(parent, 'other-link'));
    const viaLink = await createPgliteClient({ dataDir: join(parent, 'link') });
    await viaLink.query('CREATE TABLE kept (value int)');
    await viaLink.query(`INSERT INTO kept VALUES (5)`);
    // A second link to the same folder is the same database: refused while open.
    const second = await createPgliteClient({ dataDir: join(parent, 'other-link') }).then(() => undefined, (error: unknown) => error);
    expect(second).toMatchObject({ code: 'ESG209', dataDir: join(parent, 'real') });
    await viaLink.close();
    const direct = await createPgliteClient({ dataDir: join(parent, 'real') });
    expect((await direct.query<{ value: number }>('SELECT value FROM kept')).rows).toEqual([{ value: 5 }]);
    await direct.close();

    // A link whose target does not exist yet: the target is created (as for a plain path).
    symlinkSync(join(parent, 'later', 'pgdata'), join(parent, 'dangling'));
    const dangling = await createPgliteClient({ dataDir: join(parent, 'dangling') });
    expect((await dangling.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await dangling.close();
    expect(existsSync(join(parent, 'later', 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = freshFolder();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await (await createPgliteClient({ dataDir })).close();
    writeFileSync(`${dataDir}.lock`, `${dead.stdout}\n`);
    const client = await createPgliteClient({ dataDir });
    expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await client.close();
  });

  it('names the other process that holds it', async () => {
    const dataDir = freshFolder();
    const child = spawn(process.execPath, ['--import', 'tsx', holder, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      const error = await createPgliteClient({ dataDir }).then(() => undefined, (failure: unknown) => failure);
      expect(error).toMatchObject({ code: 'ESG209', pid: child.pid });
      expect((error as Error).message).toContain(`open in process ${child.pid}:`);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    // Whether the holder closed cleanly or died, its lock no longer stands in the way.
    const after = await createPgliteClient({ dataDir });
    expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await after.close();
  });
});
