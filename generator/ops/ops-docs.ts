/**
 * The tables of docs/spec-reference.md that list envelope fields, mapping operations and upcast
 * operations, rendered from the tables in this folder. A test fails when the docs differ; after
 * changing a table run `npx tsx generator/ops/ops-docs.ts` to rewrite them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef } from '../ir/types.js';
import { envelopeFieldNames, envelopeField, metadataRow } from './envelope-fields.js';
import { mappingOpNames, mappingOp } from './mapping-ops.js';
import { upcastOpTable } from './upcast-ops.js';

export const specReferencePath = fileURLToPath(new URL('../../docs/spec-reference.md', import.meta.url));

// The aggregate's id type is `string` or `uuid` (its `id:`); the docs name it instead of a type.
const anyAggregate = { idType: { kind: 'primitive', name: 'string' } } as unknown as AggregateDef;

/** Rendered tables by marker name (`<!-- ops:NAME -->` … `<!-- /ops:NAME -->` in the docs). */
export function renderOpsTables(): Map<string, string> {
  const envelope = [
    '| field | type | in aggregate `apply` | what it is |',
    '|---|---|---|---|',
    ...envelopeFieldNames.map((name) => {
      const row = envelopeField(name);
      const type = name === 'aggregateId' ? 'the aggregate\'s `id` type' : `\`${formatType(row.type(anyAggregate))}\``;
      return `| \`$${name}\` | ${type}${row.optional ? ', may be absent' : ''} | ${row.inApply ? 'yes' : 'no (ESG160)'} | ${row.doc} |`;
    }),
    `| \`$metadata.key\` | not checked, may be absent | ${metadataRow.inApply ? 'yes' : 'no (ESG160)'} | ${metadataRow.doc} |`,
  ];
  const mapping = [
    '| operation | written | what it does | runtime helper |',
    '|---|---|---|---|',
    ...mappingOpNames.map((name) => {
      const row = mappingOp(name);
      return `| \`${name}\` | ${row.syntax} | ${row.doc} | ${row.helpers.map((helper) => `\`${helper}\``).join(', ') || '–'} |`;
    }),
  ];
  const upcast = [
    '| operation | written | what it does |',
    '|---|---|---|',
    ...Object.entries(upcastOpTable)
      .sort(([, a], [, b]) => a.order - b.order)
      .map(([name, row]) => `| \`${name}\` | ${row.syntax} | ${row.doc} (applied ${row.order === 1 ? 'first' : row.order === 2 ? 'second' : 'last'}) |`),
  ];
  return new Map([
    ['envelope', envelope.join('\n')],
    ['mapping', mapping.join('\n')],
    ['upcast', upcast.join('\n')],
  ]);
}

/** The docs text with every marked table replaced by its rendering. */
export function withRenderedTables(docs: string): string {
  let text = docs;
  for (const [name, table] of renderOpsTables()) {
    const start = `<!-- ops:${name} -->`;
    const end = `<!-- /ops:${name} -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/spec-reference.md has no ${start} … ${end} block`);
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
  }
  return text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(specReferencePath, withRenderedTables(readFileSync(specReferencePath, 'utf8')));
}
