import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { DatabaseInUse } from './errors.js';

/**
 * An exclusive lock on a PGlite data folder, held from open to close.
 *
 * PGlite cannot tell that another process has its folder open (its postmaster.pid always holds
 * -42), and two engines writing one folder corrupt it. So esgen keeps `<dataDir>.lock` holding the
 * owner's pid, created with O_EXCL; a lock whose process is gone is stale and taken over.
 * Returns the function that releases it.
 */
export async function lockDataFolder(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  await mkdir(dataDir, { recursive: true });
  if (!(await tryCreate(lockPath))) {
    const holder = await readHolder(lockPath);
    if (holder !== undefined && isAlive(holder)) throw new DatabaseInUse(dataDir, holder);
    // Stale: its process died without closing. Remove it and race for it once more (O_EXCL
    // decides between two processes taking over the same stale lock).
    await unlink(lockPath).catch(() => undefined);
    if (!(await tryCreate(lockPath))) throw new DatabaseInUse(dataDir, (await readHolder(lockPath)) ?? -1);
  }
  // A process that exits without close() must not leave a lock that looks alive to a later pid reuse.
  const releaseOnExit = () => removeIfOurs(lockPath);
  process.once('exit', releaseOnExit);
  return async () => {
    process.off('exit', releaseOnExit);
    removeIfOurs(lockPath);
  };
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readHolder(lockPath: string): Promise<number | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfOurs(lockPath: string): void {
  try {
    // Synchronous: this also runs from the 'exit' handler, where nothing asynchronous completes.
    if (Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10) !== process.pid) return;
    unlinkSync(lockPath);
  } catch {
    // Already gone.
  }
}
