/**
 * Reading esgen.lock's text: from the disk next to the config, or from a git ref. The YAML is
 * parsed with the spec parser (same YAML 1.2 core schema, same located syntax errors), so a
 * broken lock is reported at its line like a broken spec.
 */
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics/types.js';
import { parseSpecText } from '../load/parse-spec-text.js';
import type { DocPath, Span } from '../load/yaml-locator.js';

export interface Locate {
  locate(path: DocPath, part?: 'key' | 'value'): Span;
}

export const emptyLocator: Locate = { locate: () => ({ line: 1, column: 1, endLine: 1, endColumn: 1 }) };

export interface LocatedLockText {
  /** The path diagnostics name (relative to the config's folder). */
  readonly file: string;
  readonly text: string;
  readonly value: Record<string, unknown> | undefined;
  readonly locator: Locate | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseLockText(file: string, text: string): LocatedLockText {
  const parsed = parseSpecText(file, text);
  // An empty lock (only the header) is a lock without entries, not an error.
  const empty = parsed.diagnostics.length > 0 && parsed.diagnostics.every((d) => d.code === 'ESG007');
  return { file, text, value: parsed.value, locator: parsed.locator, diagnostics: empty ? [] : parsed.diagnostics };
}

/** The lock's text, or undefined when there is no lock yet. */
export async function readLockText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
