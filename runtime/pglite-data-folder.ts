import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The real folder behind a PGlite `dataDir`, created when missing. PGlite's file system layer does
 * not follow symbolic links, so a `dataDir` that is one (a volume mount, `data -> /mnt/fast/data`,
 * even a link to a folder not created yet) is resolved here. The lock is taken on the real folder
 * too, so two links to one folder cannot open it twice.
 */
export async function resolveDataFolder(dataDir: string): Promise<string> {
  const target = await followLinks(resolve(dataDir));
  await mkdir(target, { recursive: true });
  return realpath(target);
}

/** Follows a chain of links, also dangling ones (realpath cannot), up to the kernel's own limit. */
async function followLinks(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const stats = await lstat(current).catch(() => undefined);
    if (stats === undefined || !stats.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  return current; // a loop: let mkdir report it (ELOOP)
}
