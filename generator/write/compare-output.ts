/**
 * What `esgen check` reports: how the files on disk differ from what a build would write now.
 * Reads only; the comparison mirrors writeOutput exactly (same rendered files, same manifest).
 */
import { join } from 'node:path';
import { readManifest, isSafeRelativePath } from './manifest.js';
import type { RenderedOutput } from './render-output.js';
import { unifiedDiff } from './unified-diff.js';
import { type OutputFolders, readIfExists } from './write-output.js';

export interface OutputDrift {
  /** Generated files whose content on disk differs, with a short diff. Absolute paths. */
  readonly stale: readonly { readonly path: string; readonly diff: string }[];
  /** Generated files (or user-owned files to scaffold) that do not exist yet. */
  readonly missing: readonly string[];
  /** Files a build would remove. */
  readonly extra: readonly string[];
}

export function hasDrift(drift: OutputDrift): boolean {
  return drift.stale.length + drift.missing.length + drift.extra.length > 0;
}

export async function compareOutput(output: RenderedOutput, folders: OutputFolders): Promise<OutputDrift> {
  const stale: { path: string; diff: string }[] = [];
  const missing: string[] = [];
  for (const [path, text] of output.generated) {
    const absolute = join(folders.outputDir, path);
    const current = await readIfExists(absolute);
    if (current === undefined) missing.push(absolute);
    else if (current !== text) stale.push({ path: absolute, diff: unifiedDiff(current, text, { oldLabel: `${path} (on disk)`, newLabel: `${path} (esgen build)` }) });
  }
  for (const scaffold of output.scaffolds) {
    const absolute = join(folders.sourceDir, scaffold.path);
    if ((await readIfExists(absolute)) === undefined) missing.push(absolute);
  }
  const previous = await readManifest(folders.outputDir);
  const extra: string[] = [];
  for (const path of Object.keys(previous.files).sort()) {
    if (output.generated.has(path) || !isSafeRelativePath(path)) continue;
    const absolute = join(folders.outputDir, path);
    if ((await readIfExists(absolute)) !== undefined) extra.push(absolute);
  }
  return { stale, missing, extra };
}
