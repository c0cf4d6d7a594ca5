/**
 * PostgreSQL's COPY text format: one line per row, columns separated by tabs, `\N` for null, and
 * in values a backslash, tab, newline or carriage return written as `\\`, `\t`, `\n`, `\r`
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format").
 */
const SPECIAL = /[\\\t\n\r]/;

export function copyValue(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (!SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyLine(values: readonly (string | number | null)[]): string {
  let line = copyValue(values[0] ?? null);
  for (let i = 1; i < values.length; i++) line += `\t${copyValue(values[i] ?? null)}`;
  return `${line}\n`;
}
