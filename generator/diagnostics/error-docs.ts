/**
 * The error tables of the docs, rendered from the one error registry (runtime/error-codes.ts):
 * spec diagnostics and generator errors in docs/spec-reference.md, runtime errors in
 * docs/runtime.md. A test fails when the docs differ; after changing the registry run
 * `npx tsx generator/diagnostics/error-docs.ts` to rewrite them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorCodes, type ErrorCodeEntry } from '../../runtime/error-codes.js';
import { InternalError } from '../../runtime/errors.js';

const docsPath = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));

/** Which docs file shows which codes, between `<!-- errors:NAME -->` and `<!-- /errors:NAME -->`. */
export const errorTables = [
  { name: 'generator', path: docsPath('spec-reference.md'), range: /^ESG[01]/, columns: ['code', 'meaning', 'how to fix'] },
  { name: 'runtime', path: docsPath('runtime.md'), range: /^ESG2/, columns: ['code', 'class', 'meaning', 'how to fix'] },
] as const;

const cell = (text: string) => text.replace(/\|/g, '\\|');

function row(code: string, entry: ErrorCodeEntry, withClass: boolean): string {
  const cells = [`\`${code}\``, ...(withClass ? [`\`${entry.name}\``] : []), cell(entry.meaning), cell(entry.fix)];
  return `| ${cells.join(' | ')} |`;
}

export function renderErrorTable(table: (typeof errorTables)[number]): string {
  const withClass = table.name === 'runtime';
  const rows = Object.entries(errorCodes)
    .filter(([code]) => table.range.test(code))
    .map(([code, entry]) => row(code, entry, withClass));
  return [`| ${table.columns.join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`, ...rows].join('\n');
}

/** The docs text with the table's marked block replaced by its rendering. */
export function withRenderedErrorTable(docs: string, table: (typeof errorTables)[number]): string {
  const start = `<!-- errors:${table.name} -->`;
  const end = `<!-- /errors:${table.name} -->`;
  const from = docs.indexOf(start);
  const to = docs.indexOf(end);
  if (from < 0 || to < from) throw new InternalError(`${table.path} has no ${start} … ${end} block`);
  return `${docs.slice(0, from + start.length)}\n${renderErrorTable(table)}\n${docs.slice(to)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const table of errorTables) writeFileSync(table.path, withRenderedErrorTable(readFileSync(table.path, 'utf8'), table));
}
