import type { Diagnostic } from '../diagnostics/types.js';
import { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef, ReadModelDef } from '../ir/types.js';
import type { ParsedYaml } from './parse-spec-text.js';

/**
 * One file's IR (deep-frozen) and the diagnostics of building it (ESG114–116, ESG140–141): an
 * aggregate, or for a read-model file (no `aggregate:`) its read models.
 */
export type BuiltAggregate =
  | { readonly aggregate: AggregateDef; readonly diagnostics: readonly Diagnostic[] }
  | { readonly readModels: readonly ReadModelDef[]; readonly diagnostics: readonly Diagnostic[] };

/**
 * One file after YAML parsing, the JSON Schema check and, when both passed, IR building: all the
 * work that depends on this file's text alone, which is what `esgen watch` reuses.
 */
export interface CheckedFile {
  readonly parsed: ParsedYaml;
  /** YAML and schema diagnostics of this file. */
  readonly diagnostics: readonly Diagnostic[];
  /** Absent when the file has YAML or schema errors (its content is not trustworthy). */
  readonly built?: BuiltAggregate;
}

/**
 * Per-file results keyed by path and content, so a watcher re-parses, re-checks and rebuilds the
 * IR only of files that changed. The semantic checks still run over the whole set on every load:
 * they relate files to each other. The origins (IR node → YAML node) live as long as the cache,
 * because reused IR nodes keep pointing at them.
 */
export interface SpecCache {
  get(file: string, text: string): CheckedFile | undefined;
  set(file: string, text: string, checked: CheckedFile): void;
  /** Drops entries (and origins) of files that are no longer part of the project. */
  retainOnly(files: ReadonlySet<string>): void;
  /** Where the IR nodes of cached files came from; the semantic checks report through it. */
  readonly origins: SpecOrigins;
  readonly size: number;
}

export function createSpecCache(): SpecCache {
  // The text itself is the key: comparing strings is cheaper than hashing them, and specs are small.
  const entries = new Map<string, { text: string; checked: CheckedFile }>();
  const origins = new SpecOrigins();
  return {
    origins,
    get(file, text) {
      const entry = entries.get(file);
      return entry && entry.text === text ? entry.checked : undefined;
    },
    set(file, text, checked) {
      entries.set(file, { text, checked });
    },
    retainOnly(files) {
      for (const file of entries.keys()) {
        if (files.has(file)) continue;
        entries.delete(file);
        origins.removeFile(file);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
