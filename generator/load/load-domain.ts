import type { Diagnostic } from '../diagnostics/types.js';
import { buildAggregate } from '../ir/build-aggregate.js';
import { deepFreeze } from '../ir/deep-freeze.js';
import { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef, DomainIR } from '../ir/types.js';
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
export function loadDomainFromSources(files: ReadonlyMap<string, string>, options: { cache?: SpecCache; extraDiagnostics?: readonly Diagnostic[] } = {}): DomainResult {
  const diagnostics: Diagnostic[] = [...(options.extraDiagnostics ?? [])];
  const origins = new SpecOrigins();
  const aggregates: AggregateDef[] = [];
  const paths = [...files.keys()].sort();
  options.cache?.retainOnly(new Set(paths));

  for (const file of paths) {
    const text = files.get(file)!;
    const checked = options.cache?.get(file, text) ?? checkFile(file, text);
    options.cache?.set(file, text, checked);
    diagnostics.push(...checked.diagnostics);
    const { value, locator } = checked.parsed;
    // Files with structural problems are left out of the semantic checks: their content is not
    // trustworthy, and the other files still get checked.
    if (checked.diagnostics.length > 0 || !value || !locator) continue;
    origins.addFile(file, locator);
    const built = buildAggregate(file, value, origins);
    diagnostics.push(...built.diagnostics);
    aggregates.push(built.aggregate);
  }
  diagnostics.push(...checkDomain(aggregates, origins));

  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, ir: deepFreeze<DomainIR>({ kind: 'domain', aggregates }), diagnostics };
}

function checkFile(file: string, text: string): CheckedFile {
  const parsed = parseSpecText(file, text);
  const diagnostics = [...parsed.diagnostics];
  if (parsed.value && parsed.locator) diagnostics.push(...checkAgainstSchema('esgen.schema.json', parsed.value, file, parsed.locator));
  return { parsed, diagnostics };
}
