import pc from 'picocolors';
import type { Diagnostic } from './types.js';

export interface FormatOptions {
  /** ANSI colours (the CLI passes whether stderr/stdout is a TTY and NO_COLOR is unset). */
  readonly color: boolean;
  /** Text of each file by the same relative path the diagnostics use, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
}

/** Sorts by file, then position, so output is stable whatever order checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/**
 * Human-readable diagnostics: `file:line:column error ESG136 message`, a code frame with a caret
 * under the offending node, and the hint. Ends with a summary line.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  const c = pc.createColors(options.color);
  const blocks = sortDiagnostics(diagnostics).map((d) => {
    const severity = d.severity === 'error' ? c.red(c.bold('error')) : c.yellow(c.bold('warning'));
    const head = `${c.cyan(`${d.file}:${d.line}:${d.column}`)} ${severity} ${c.dim(d.code)} ${d.message}`;
    const frame = codeFrame(options.sources.get(d.file), d, c);
    const hint = d.hint ? `\n  ${c.green('hint:')} ${d.hint}` : '';
    return head + (frame ? `\n${frame}` : '') + hint;
  });
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const summary = [errors && `${errors} error${errors === 1 ? '' : 's'}`, warnings && `${warnings} warning${warnings === 1 ? '' : 's'}`]
    .filter(Boolean)
    .join(', ');
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n\n${summary || 'no problems'}\n`;
}

type Colors = ReturnType<typeof pc.createColors>;

/** One line of context above, the offending line, a caret line. Tabs are shown as two spaces. */
function codeFrame(source: string | undefined, d: Diagnostic, c: Colors): string {
  if (source === undefined) return '';
  const lines = source.split(/\r?\n/);
  const line = lines[d.line - 1];
  if (line === undefined) return '';
  const width = String(d.line).length;
  const show = (n: number, text: string) => `  ${c.dim(`${String(n).padStart(width)} |`)} ${clip(text.replace(/\t/g, '  '))}`;
  const out: string[] = [];
  const previous = lines[d.line - 2];
  if (previous !== undefined && previous.trim() !== '') out.push(show(d.line - 1, previous));
  out.push(show(d.line, line));
  const before = line.slice(0, d.column - 1).replace(/\t/g, '  ');
  const span =
    d.endLine === d.line && d.endColumn !== undefined && d.endColumn > d.column ? Math.min(d.endColumn - d.column, line.length - d.column + 1) : 1;
  out.push(`  ${' '.repeat(width)} ${c.dim('|')} ${' '.repeat(Math.min(before.length, 160))}${c.red('^'.repeat(Math.max(1, Math.min(span, 80))))}`);
  return out.join('\n');
}

function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Machine-readable form for `--format json`: stable keys, sorted like the text form. */
export function diagnosticsToJson(diagnostics: readonly Diagnostic[]): string {
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;
  return `${JSON.stringify({ ok: errorCount === 0, errorCount, warningCount: diagnostics.length - errorCount, diagnostics: sortDiagnostics(diagnostics) }, null, 2)}\n`;
}

/** GitHub Actions workflow-command escaping: data escapes %, CR, LF; properties also `:` and `,`. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * `--format github`: one workflow command per diagnostic, which GitHub Actions shows as an
 * annotation on the line of the pull request's diff:
 * `::error file=domain/order.esgen.yaml,line=12,col=5,title=ESG170::message (hint)`.
 * Paths are as given (the CLI makes them relative to the cwd: run from the repository root).
 */
export function diagnosticsToGithub(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const properties = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`];
      if (d.endLine !== undefined && d.endColumn !== undefined) properties.push(`endLine=${d.endLine}`, `endColumn=${d.endColumn}`);
      properties.push(`title=${escapeProperty(d.code)}`);
      const text = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
      return `::${d.severity === 'error' ? 'error' : 'warning'} ${properties.join(',')}::${escapeData(text)}\n`;
    })
    .join('');
}
