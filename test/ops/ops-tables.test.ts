/**
 * One table per spec concept (generator/ops): the docs, the spec schema and the runtime agree
 * with the tables the checks and emitters read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as runtime from 'esgen/runtime';
import { envelopeFieldNames } from '../../generator/ops/envelope-fields.js';
import { mappingOp, mappingOpNames } from '../../generator/ops/mapping-ops.js';
import { specReferencePath, withRenderedTables } from '../../generator/ops/ops-docs.js';
import { upcastOpTable } from '../../generator/ops/upcast-ops.js';
import { repoRoot } from '../codegen/codegen-support.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/esgen.schema.json'), 'utf8')) as {
  definitions: { mappingOperation: { properties: Record<string, unknown> }; upcast?: unknown };
};

describe('the operation tables', () => {
  it('are what docs/spec-reference.md shows (rewrite with `npx tsx generator/ops/ops-docs.ts`)', () => {
    const docs = readFileSync(specReferencePath, 'utf8');
    expect(withRenderedTables(docs)).toBe(docs);
  });

  it('list exactly the mapping operations the spec schema accepts (besides `const`)', () => {
    const inSchema = Object.keys(schema.definitions.mappingOperation.properties).filter((key) => key !== 'const');
    expect([...inSchema].sort()).toEqual([...mappingOpNames].sort());
  });

  it('name runtime helpers that esgen/runtime exports', () => {
    for (const name of mappingOpNames) {
      for (const helper of mappingOp(name).helpers) expect(typeof (runtime as Record<string, unknown>)[helper], `${name} → ${helper}`).toBe('function');
    }
  });

  it('list the upcast operations the spec schema accepts, each with its own place in the order', () => {
    const text = readFileSync(join(repoRoot, 'schemas/esgen.schema.json'), 'utf8');
    for (const name of Object.keys(upcastOpTable)) expect(text).toContain(`"${name}"`);
    const orders = Object.values(upcastOpTable).map((row) => row.order);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('list every envelope field the parser accepts, and the parser lists them from the table', async () => {
    const { parseEnvelopeRef } = await import('../../generator/ir/parse-expressions.js');
    for (const name of envelopeFieldNames) expect(parseEnvelopeRef(`$${name}`)).toEqual({ ok: true, value: { kind: 'envelope', field: name } });
    expect(parseEnvelopeRef('$userId').ok).toBe(false);
  });
});
