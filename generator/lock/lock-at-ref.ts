/**
 * esgen.lock as a git ref has it (`esgen check --against main`), read with `git show
 * <ref>:./esgen.lock` from the config's folder: `./` makes git resolve the path relative to that
 * folder, wherever the repository root is (gitrevisions(7), "<rev>:<path>").
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lockFileName } from './lock-file.js';

const run = promisify(execFile);

export type LockAtRef =
  | { readonly kind: 'found'; readonly text: string }
  /** The ref exists but has no lock there (the project adopts the lock in this change). */
  | { readonly kind: 'absent' }
  | { readonly kind: 'failed'; readonly reason: string };

export async function readLockAtRef(folder: string, ref: string): Promise<LockAtRef> {
  // Refuse option-like refs: git would read `--output=…` as an option.
  if (ref.startsWith('-')) return { kind: 'failed', reason: `\`${ref}\` is not a git revision` };
  try {
    await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: folder });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    return { kind: 'failed', reason: stderr || `\`${ref}\` is not a commit of the git repository at ${folder}` };
  }
  try {
    const { stdout } = await run('git', ['show', `${ref}:./${lockFileName}`], { cwd: folder, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return { kind: 'found', text: stdout };
  } catch {
    return { kind: 'absent' };
  }
}
