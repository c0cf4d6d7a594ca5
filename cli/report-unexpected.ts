import { isEsgenError } from '../runtime/errors.js';

/**
 * Last-resort handler: a bug or an environment failure (not a bad spec, which is reported as
 * diagnostics). Prints one line; the stack only with ESGEN_DEBUG=1.
 */
export function reportUnexpected(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  // An esgen error is recognised by its registered code, never by its text.
  console.error(`esgen: ${isEsgenError(error) ? `${error.code} ` : ''}${message}`);
  if (process.env.ESGEN_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  else console.error('(set ESGEN_DEBUG=1 to see the stack trace)');
  process.exitCode = 1;
}
