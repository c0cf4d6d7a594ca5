import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ParsedYaml } from './parse-spec-text.js';

/** One file after YAML parsing and the JSON Schema check: what `esgen watch` can reuse. */
export interface CheckedFile {
  readonly parsed: ParsedYaml;
  /** YAML and schema diagnostics of this file. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Per-file parse and schema-check results keyed by path and content hash, so a watcher re-parses
 * only files that changed. Semantic checks and IR building always rerun over the whole set.
 */
export interface SpecCache {
  get(file: string, text: string): CheckedFile | undefined;
  set(file: string, text: string, checked: CheckedFile): void;
  /** Drops entries of files that are no longer part of the project. */
  retainOnly(files: ReadonlySet<string>): void;
  readonly size: number;
}

export function createSpecCache(): SpecCache {
  const entries = new Map<string, { hash: string; checked: CheckedFile }>();
  const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
  return {
    get(file, text) {
      const entry = entries.get(file);
      return entry && entry.hash === hashOf(text) ? entry.checked : undefined;
    },
    set(file, text, checked) {
      entries.set(file, { hash: hashOf(text), checked });
    },
    retainOnly(files) {
      for (const file of entries.keys()) if (!files.has(file)) entries.delete(file);
    },
    get size() {
      return entries.size;
    },
  };
}
