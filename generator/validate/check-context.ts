import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DocPath } from '../load/yaml-locator.js';
import type { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef } from '../ir/types.js';

/** What every semantic check gets: the aggregates of all files and a way to report at a node. */
export interface CheckContext {
  readonly aggregates: readonly AggregateDef[];
  /** The YAML path an IR node was built from (e.g. to tell a `from:` rule from an `on:` rule). */
  pathOf(node: object): DocPath;
  /** Whether the YAML has something at `below` under the node. */
  written(node: object, below: DocPath): boolean;
  /**
   * Reports a problem at an IR node (or a path below it). `part: 'key'` points at the key, which
   * is the right place for problems with a name.
   */
  report(problem: {
    code: DiagnosticCode;
    node: object;
    below?: DocPath;
    part?: 'key' | 'value';
    message: string;
    hint?: string | undefined;
    severity?: Diagnostic['severity'];
  }): void;
}

export function createCheckContext(aggregates: readonly AggregateDef[], origins: SpecOrigins, sink: Diagnostic[]): CheckContext {
  return {
    aggregates,
    pathOf: (node) => origins.pathOf(node),
    written: (node, below) => origins.has(node, below),
    report({ code, node, below = [], part = 'value', message, hint, severity = 'error' }) {
      sink.push({ code, severity, message, ...origins.span(node, below, part), ...(hint ? { hint } : {}) });
    },
  };
}
