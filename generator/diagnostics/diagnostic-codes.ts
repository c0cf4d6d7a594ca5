/**
 * The codes of spec diagnostics, with a one-line summary each: a view of the one error registry
 * (runtime/error-codes.ts), where every code is declared with its meaning and fix.
 */
import { errorCodes, type GeneratorErrorCode } from '../../runtime/error-codes.js';

/** Codes a diagnostic can carry: the generator's range of the registry (ESG0xx, ESG1xx). */
export type DiagnosticCode = GeneratorErrorCode;

function isGeneratorCode(code: string): code is GeneratorErrorCode {
  return /^ESG[01]\d\d$/.test(code);
}

export const diagnosticCodes: Readonly<Record<DiagnosticCode, string>> = Object.fromEntries(
  Object.entries(errorCodes)
    .filter(([code]) => isGeneratorCode(code))
    .map(([code, entry]) => [code, entry.name]),
) as Record<DiagnosticCode, string>;
