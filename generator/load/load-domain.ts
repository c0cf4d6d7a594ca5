import type { Diagnostic } from '../diagnostics/types.js';
import { buildAggregate } from '../ir/build-aggregate.js';
import { deepFreeze } from '../ir/deep-freeze.js';
import { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef, DomainIR, ReadModelDef } from '../ir/types.js';
import { checkDomain } from '../validate/check-domain.js';
import { checkAgainstSchema } from '../validate/schema-check.js';
import { parseSpecText } from './parse-spec-text.js';
import type { CheckedFile, SpecCache } from './spec-cache.js';

export type DomainResult =
  | { readonly ok: true; readonly ir: DomainIR; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Builds the domain IR from spec texts keyed by relative path (forward slashes), without any
 * config file or disk access: the core of `loadProject`, and what tests use for in-memory YAML.
 *
 * @example
 *   const result = loadDomainFromSources(new Map([['order.esgen.yaml', 'aggregate: Order\n']]));
 *   if (result.ok) console.log(result.ir.aggregates[0]?.name); // "Order"
 */
export interface LoadDomainOptions {
  /** Reuse per-file results of unchanged files (esgen watch). */
  readonly cache?: SpecCache;
  /** Diagnostics found before loading (unreadable files), reported first. */
  readonly extraDiagnostics?: readonly Diagnostic[];
}

export function loadDomainFromSources(files: ReadonlyMap<string, string>, options: LoadDomainOptions = {}): DomainResult {
  const diagnostics: Diagnostic[] = [...(options.extraDiagnostics ?? [])];
  const { cache } = options;
  const origins = cache?.origins ?? new SpecOrigins();
  const aggregates: AggregateDef[] = [];
  const readModels: ReadModelDef[] = [];
  const paths = [...files.keys()].sort();
  cache?.retainOnly(new Set(paths));

  for (const file of paths) {
    const text = files.get(file)!;
    let checked = cache?.get(file, text);
    if (!checked) {
      checked = checkFile(file, text, origins);
      cache?.set(file, text, checked);
    }
    diagnostics.push(...checked.diagnostics);
    // Files with structural problems are left out of the semantic checks: their content is not
    // trustworthy, and the other files still get checked.
    if (!checked.built) continue;
    diagnostics.push(...checked.built.diagnostics);
    if ('aggregate' in checked.built) aggregates.push(checked.built.aggregate);
    else readModels.push(...checked.built.readModels);
  }
  diagnostics.push(...checkDomain(aggregates, origins, readModels));

  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  // The aggregates are frozen already, so this freezes only the domain object and its lists.
  return { ok: true, ir: deepFreeze<DomainIR>({ kind: 'domain', aggregates, ...(readModels.length > 0 ? { readModels } : {}) }), diagnostics };
}

/** Everything that depends on one file's text alone: YAML, schema, and the aggregate's IR (frozen). */
function checkFile(file: string, text: string, origins: SpecOrigins): CheckedFile {
  const parsed = parseSpecText(file, text);
  const diagnostics = [...parsed.diagnostics];
  if (parsed.value && parsed.locator) diagnostics.push(...checkAgainstSchema('esgen.schema.json', parsed.value, file, parsed.locator));
  if (diagnostics.length > 0 || !parsed.value || !parsed.locator) {
    origins.removeFile(file);
    return { parsed, diagnostics };
  }
  origins.addFile(file, parsed.locator);
  const built = buildAggregate(file, parsed.value, origins);
  // A file without `aggregate:` (the schema let it through) holds only read models across aggregates.
  if ((parsed.value as Record<string, unknown>).aggregate === undefined) return { parsed, diagnostics, built: { readModels: deepFreeze(built.aggregate.readModels), diagnostics: built.diagnostics } };
  return { parsed, diagnostics, built: { aggregate: deepFreeze(built.aggregate), diagnostics: built.diagnostics } };
}
