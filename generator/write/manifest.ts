/**
 * `.esgen-manifest.json` in the output folder: every file the last build generated, with the
 * sha256 of its content and of its input (the unformatted text and the formatter that shaped it).
 * The next build removes files listed here that it no longer generates (user-owned files are
 * never listed, so they can never be removed), and reuses a file on disk instead of formatting it
 * again when its input is unchanged and its content is still what was written.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const manifestFileName = '.esgen-manifest.json';

export interface ManifestEntry {
  /** sha256 of the file's content. */
  readonly sha256: string;
  /** sha256 of what the content was made from (see inputHash). */
  readonly input: string;
}

export interface Manifest {
  /** Output-relative path → entry. */
  readonly files: Readonly<Record<string, ManifestEntry>>;
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function manifestText(entries: ReadonlyMap<string, ManifestEntry>): string {
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, entry]) => [path, { sha256: entry.sha256, input: entry.input }]);
  return `${JSON.stringify({ generator: 'esgen', files: Object.fromEntries(sorted) }, null, 2)}\n`;
}

function isEntry(value: unknown): value is ManifestEntry {
  return typeof value === 'object' && value !== null && typeof (value as ManifestEntry).sha256 === 'string' && typeof (value as ManifestEntry).input === 'string';
}

/** The manifest on disk, or an empty one when missing or unreadable (nothing is removed or reused then). */
export async function readManifest(outputDir: string): Promise<Manifest> {
  try {
    const parsed = JSON.parse(await readFile(join(outputDir, manifestFileName), 'utf8')) as { files?: unknown };
    if (parsed.files && typeof parsed.files === 'object' && !Array.isArray(parsed.files)) {
      return { files: Object.fromEntries(Object.entries(parsed.files).filter((entry): entry is [string, ManifestEntry] => isEntry(entry[1]))) };
    }
  } catch {
    // A missing or corrupt manifest: treat as a first build.
  }
  return { files: {} };
}

/** A manifest path is only trusted when it stays inside the output folder. */
export function isSafeRelativePath(path: string): boolean {
  return path.length > 0 && !path.startsWith('/') && !path.split('/').some((segment) => segment === '..' || segment === '') && !path.includes('\\');
}
