/**
 * The read-model fingerprint decides when the runtime rebuilds (or refuses) stored rows
 * (runtime/projections/read-model-shapes.ts): it must change with everything that changes rows,
 * the mode included (issue 12), and stay put for what does not.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../generator/load/load-project.js';
import { readModelFingerprint } from '../../generator/emit/emit-read-models.js';
import type { ReadModelDef } from '../../generator/ir/types.js';
import { repoRoot } from './codegen-support.js';

async function firstReadModel(): Promise<ReadModelDef> {
  const result = await loadProject({ cwd: join(repoRoot, 'examples/bank-account'), env: {} });
  if (!result.ok) throw new Error('the example does not load');
  const readModel = result.ir.aggregates.flatMap((aggregate) => aggregate.readModels).find((candidate) => candidate.fields.some((field) => field.rules.length > 0));
  if (readModel === undefined) throw new Error('the example has no read model with rules');
  return readModel;
}

describe('readModelFingerprint', () => {
  it('changes with the mode, in either direction', async () => {
    const readModel = await firstReadModel();
    const inline = readModelFingerprint({ ...readModel, mode: 'inline' });
    const async_ = readModelFingerprint({ ...readModel, mode: 'async' });
    expect(inline).not.toBe(async_);
    expect(inline).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ['a rule', (rm: ReadModelDef): ReadModelDef => ({ ...rm, fields: rm.fields.map((field, i) => (i === rm.fields.findIndex((f) => f.rules.length > 0) ? { ...field, rules: field.rules.slice(1) } : field)) })],
    ['a field type', (rm: ReadModelDef): ReadModelDef => ({ ...rm, fields: rm.fields.map((field, i) => (i === 0 ? { ...field, type: { kind: 'primitive', name: 'json' } as const } : field)) })],
    ['an added field', (rm: ReadModelDef): ReadModelDef => ({ ...rm, fields: [...rm.fields, { ...rm.fields[0]!, name: 'added' }] })],
    ['the delete events', (rm: ReadModelDef): ReadModelDef => ({ ...rm, deleteOn: [...rm.deleteOn, 'Something'] })],
  ])('changes with %s', async (_name, change) => {
    const readModel = await firstReadModel();
    expect(readModelFingerprint(change(readModel))).not.toBe(readModelFingerprint(readModel));
  });

  it('ignores descriptions, source locations and index flags (they change no row)', async () => {
    const readModel = await firstReadModel();
    const cosmetic: ReadModelDef = {
      ...readModel,
      description: 'reworded',
      loc: { ...readModel.loc, line: readModel.loc.line + 10 },
      fields: readModel.fields.map((field) => ({ ...field, index: !field.index, description: 'reworded' })),
    };
    expect(readModelFingerprint(cosmetic)).toBe(readModelFingerprint(readModel));
  });
});
