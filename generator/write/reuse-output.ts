/**
 * Generated files on disk that a build can take as they are instead of formatting them again:
 * the manifest records each file's input hash, and a file whose content still has the recorded
 * hash is exactly what formatting that input gives. This makes `esgen build` and `esgen check` on
 * an existing checkout cost little more than emitting; prettier runs only for changed files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentHash, isSafeRelativePath, readManifest } from './manifest.js';

export type ReusableOutput = ReadonlyMap<string, { readonly input: string; readonly text: string }>;

export async function readReusableOutput(outputDir: string): Promise<ReusableOutput> {
  const manifest = await readManifest(outputDir);
  const reusable = new Map<string, { input: string; text: string }>();
  await Promise.all(
    Object.entries(manifest.files).map(async ([path, entry]) => {
      if (!isSafeRelativePath(path)) return;
      try {
        const text = await readFile(join(outputDir, path), 'utf8');
        if (contentHash(text) === entry.sha256) reusable.set(path, { input: entry.input, text });
      } catch {
        // Missing or unreadable: formatted afresh.
      }
    }),
  );
  return reusable;
}
