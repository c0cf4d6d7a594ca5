/**
 * The lock stage of `esgen build` and `esgen check`, between loading and emitting: reads
 * esgen.lock, applies the breaking-change rules, and renders the lock the build will write.
 */
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DomainIR } from '../ir/types.js';
import { checkDraftOrder, compareLocks, compareWithLock, derivedChanges, draftDiagnostics, type LockSource, newVersions } from './compare-lock.js';
import { readLockAtRef } from './lock-at-ref.js';
import { lockFileName, parseLock, renderLock } from './lock-file.js';
import { parseLockText, readLockText } from './lock-text.js';

export interface LockOptions {
  /** `--strict`: draft versions are errors (release pipelines). */
  readonly strict?: boolean;
  /** `--against <ref>`: also compare with esgen.lock at this git ref. */
  readonly against?: string;
}

export interface LockEvaluation {
  readonly diagnostics: readonly Diagnostic[];
  /** Lock texts by the names diagnostics use, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
  /** Absolute path of esgen.lock. */
  readonly path: string;
  /** The lock on disk; undefined when there is none yet. */
  readonly current: string | undefined;
  /** The lock a build writes. */
  readonly next: string;
  /** Event versions the build locks now (`OrderCreated v2`). */
  readonly added: readonly string[];
}

export async function evaluateLock(ir: DomainIR, root: string, options: LockOptions = {}): Promise<LockEvaluation> {
  const path = join(root, lockFileName);
  const diagnostics: Diagnostic[] = [...checkDraftOrder(ir)];
  const sources = new Map<string, string>();
  let current: string | undefined;
  try {
    current = await readLockText(path);
  } catch (error) {
    diagnostics.push({ code: 'ESG004', severity: 'error', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, file: lockFileName, line: 1, column: 1 });
  }
  let source: LockSource | undefined;
  if (current !== undefined) {
    sources.set(lockFileName, current);
    const located = parseLockText(lockFileName, current);
    const parsed = parseLock(located);
    diagnostics.push(...located.diagnostics, ...parsed.diagnostics);
    source = { lock: parsed.lock, file: lockFileName, ...(located.locator ? { locator: located.locator } : {}) };
    diagnostics.push(...compareWithLock(ir, source));
  }
  if (options.against !== undefined) diagnostics.push(...(await compareWithRef(ir, root, options.against, source, sources)));
  if (options.strict) diagnostics.push(...draftDiagnostics(ir));
  return { diagnostics: dedupe(diagnostics), sources, path, current, next: renderLock(ir.aggregates, source?.lock, ir.readModels), added: newVersions(ir, source?.lock) };
}

async function compareWithRef(ir: DomainIR, root: string, ref: string, current: LockSource | undefined, sources: Map<string, string>): Promise<Diagnostic[]> {
  const found = await readLockAtRef(root, ref);
  if (found.kind === 'failed') {
    return [{ code: 'ESG010', severity: 'error', message: `cannot read ${lockFileName} at git ref \`${ref}\`: ${found.reason}`, file: lockFileName, line: 1, column: 1, hint: 'give a branch, tag or commit of this repository (CI: fetch it first, e.g. `git fetch origin main` and `--against origin/main`)' }];
  }
  if (found.kind === 'absent') return [];
  const file = `${lockFileName}@${ref}`;
  sources.set(file, found.text);
  const located = parseLockText(file, found.text);
  const parsed = parseLock(located);
  const base: LockSource = { lock: parsed.lock, file, ref, ...(located.locator ? { locator: located.locator } : {}) };
  return [
    ...located.diagnostics,
    ...parsed.diagnostics,
    ...compareWithLock(ir, base),
    ...derivedChanges(ir, base),
    ...(current ? compareLocks(base, current) : compareLocks(base, { lock: { events: new Map() }, file: lockFileName })),
  ];
}

/** The same problem found against the lock on disk and against the ref's lock is shown once. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}\0${d.file}\0${d.line}\0${d.column}\0${d.message.replace(/ \(locked at [^)]*\)| at [^ ,]+(?=, so it cannot be a draft)/, '')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
