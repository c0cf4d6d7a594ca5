/**
 * A build formats with oxc where its native binding loads and with babel-ts elsewhere: both must
 * give the same bytes, or `esgen check` would fail on one machine for files built on another.
 * Holds every file the examples, the shop fixture and a slice of the synthetic benchmark domain
 * generate (unformatted, as emitted) to that.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticSpec } from '../../bench/codegen.bench.js';
import { emitOptionsFor } from '../../generator/pipeline/codegen-session.js';
import { targetOf } from '../../generator/pipeline/build-session.js';
import { createScaffoldRenderer, emitAggregate, emitShared } from '../../generator/emit/emit-domain.js';
import type { EmitContext } from '../../generator/emit/emit-context.js';
import { loadProject } from '../../generator/load/load-project.js';
import { loadOxcFormatter, loadReferenceFormatter } from '../../generator/write/prettier-format.js';
import { goldenProjects } from './codegen-support.js';

const syntheticDir = mkdtempSync(join(tmpdir(), 'esgen-parsers-'));
afterAll(() => rmSync(syntheticDir, { recursive: true, force: true }));

function syntheticProject(): string {
  mkdirSync(join(syntheticDir, 'domain'), { recursive: true });
  writeFileSync(join(syntheticDir, 'esgen.config.yaml'), 'specs: domain/*.esgen.yaml\noutput: src/generated\nsource: src/domain\n');
  for (const index of [0, 1, 2]) writeFileSync(join(syntheticDir, 'domain', `thing-${index}.esgen.yaml`), syntheticSpec(index));
  return syntheticDir;
}

async function emittedTexts(dir: string): Promise<{ path: string; text: string }[]> {
  const loaded = await loadProject({ cwd: dir });
  if (!loaded.ok) throw new Error(`${dir} does not load`);
  const [tsm, handlebars] = await Promise.all([import('ts-morph'), import('handlebars')]);
  const context = { ...emitOptionsFor(targetOf(loaded.config)), tsm, render: createScaffoldRenderer(handlebars.default) };
  const aggregates = loaded.ir.aggregates.map((aggregate) => emitAggregate(aggregate, context));
  return [...aggregates.flatMap((emitted) => [...emitted.files, ...emitted.scaffolds]), ...emitShared(loaded.ir, context as EmitContext)];
}

describe('formatting parsers', () => {
  it('has the oxc binding on this machine (else builds here fall back to babel-ts, and this file proves nothing)', async () => {
    expect(await loadOxcFormatter()).toBeDefined();
  });

  const projects = [...goldenProjects(), { name: 'synthetic benchmark domain (3 aggregates)', dir: '' }];
  for (const project of projects) {
    it(`oxc and babel-ts format every file of ${project.name} to the same bytes`, async () => {
      const [oxc, reference] = await Promise.all([loadOxcFormatter(), loadReferenceFormatter()]);
      if (!oxc) throw new Error('the oxc binding does not load');
      const files = await emittedTexts(project.dir || syntheticProject());
      expect(files.length).toBeGreaterThan(5);
      for (const file of files) expect(await oxc(file.text), file.path).toBe(await reference(file.text));
    });
  }
});
