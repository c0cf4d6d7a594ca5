import type { DiagnosticCode } from './diagnostic-codes.js';

/**
 * A problem found while loading specs, located at the YAML node that caused it.
 *
 * Codes are stable and documented in docs/spec-reference.md:
 * ESG0xx configuration and file I/O, ESG10x–12x spec structure (YAML and JSON Schema),
 * ESG13x+ semantic checks across the whole set of spec files.
 */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  /** Plain English: what is wrong. */
  readonly message: string;
  /** Relative to the config's folder (or the cwd), with forward slashes. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** How to fix it, e.g. "did you mean `OrderPaid`?". */
  readonly hint?: string;
}

export type DiagnosticSeverity = Diagnostic['severity'];
