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

/** Widest source text shown on one frame line; longer lines show a window around the column. */
const FRAME_WIDTH = 160;

/**
 * One line of context above, the offending line, a caret line. Tabs are shown as two spaces. A
 * line wider than the frame (long flow-style YAML) is shown as a window that contains the column,
 * so the caret always points at visible text.
 */
function codeFrame(source: string | undefined, d: Diagnostic, c: Colors): string {
  if (source === undefined) return '';
  const lines = source.split(/\r?\n/).map((text) => text.replace(/\t/g, '  '));
  const line = lines[d.line - 1];
  if (line === undefined) return '';
  const raw = source.split(/\r?\n/)[d.line - 1]!;
  const column = raw.slice(0, d.column - 1).replace(/\t/g, '  ').length;
  const window = frameWindow(line.length, column);
  const width = String(d.line).length;
  const show = (n: number, text: string) => `  ${c.dim(`${String(n).padStart(width)} |`)} ${window.clip(text)}`;
  const out: string[] = [];
  const previous = lines[d.line - 2];
  if (previous !== undefined && previous.trim() !== '') out.push(show(d.line - 1, previous));
  out.push(show(d.line, line));
  const wanted = d.endLine === d.line && d.endColumn !== undefined && d.endColumn > d.column ? d.endColumn - d.column : 1;
  const span = Math.max(1, Math.min(wanted, window.end - column));
  out.push(`  ${' '.repeat(width)} ${c.dim('|')} ${' '.repeat(window.offset(column))}${c.red('^'.repeat(span))}`);
  return out.join('\n');
}

interface FrameWindow {
  /** Last column (exclusive) shown. */
  readonly end: number;
  /** The shown text of a line, with `...` where it was cut. */
  clip(text: string): string;
  /** Where a column of the line appears in the shown text. */
  offset(column: number): number;
}

/** The slice of a line to show so that `column` (0-based) is visible, with context before it. */
export function frameWindow(length: number, column: number): FrameWindow {
  const ellipsis = '...';
  if (length <= FRAME_WIDTH) {
    return { end: length + 1, clip: (text) => (text.length > FRAME_WIDTH ? `${text.slice(0, FRAME_WIDTH - 3)}${ellipsis}` : text), offset: (col) => col };
  }
  const context = 40;
  const start = column < FRAME_WIDTH - context ? 0 : Math.max(0, Math.min(column - context, length - (FRAME_WIDTH - 2 * ellipsis.length)));
  const shown = FRAME_WIDTH - ellipsis.length * (start > 0 ? 2 : 1);
  const prefix = start > 0 ? ellipsis : '';
  return {
    end: start + shown,
    clip: (text) => `${prefix}${text.slice(start, start + shown)}${text.length > start + shown ? ellipsis : ''}`,
    offset: (col) => col - start + prefix.length,
  };
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
