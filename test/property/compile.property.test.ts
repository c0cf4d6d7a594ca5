/**
 * The promise of a schema-first tool, for random valid domains: a spec that `esgen validate`
 * accepts becomes code that compiles. Per seed: validate (the real CLI for the first seeds, the
 * library for the rest) → build → `tsc` with strict, noUnusedLocals and noUnusedParameters over
 * the generated output plus the scaffolded user files. All seeds compile in one `tsc` run.
 *
 * Replay a seed: `ESGEN_SEED=17 npx vitest run test/property/compile.property.test.ts`
 * (or `npm run fuzz -- --seed 17 --keep` to keep the project on disk). More seeds: `npm run fuzz`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildSession } from '../../generator/index.js';
import {
  buildWithCli,
  buildWithLibrary,
  checkWithCli,
  compileProjects,
  describeFailure,
  prepareBase,
  validateWithCli,
  validateWithLibrary,
  writeProject,
  type PropertyProject,
  type StepResult,
} from './property-project.js';
import { propertySeeds, seedsFromEnvironment } from './property-seeds.js';

const seeds = propertySeeds(24);
/** These go through the real binary (`node bin/esgen.js validate`, `build`, then `check`: no drift). */
const cliSeeds = new Set(seeds.slice(0, 3));
/** Validation alone is cheap: many more seeds than are compiled. */
const validationSeeds = seedsFromEnvironment() ?? Array.from({ length: 300 }, (_, i) => i + 1);

const base = mkdtempSync(join(tmpdir(), 'esgen-property-'));
prepareBase(base);
afterAll(() => {
  if (!process.env.ESGEN_KEEP) rmSync(base, { recursive: true, force: true });
});

interface SeedOutcome {
  readonly project: PropertyProject;
  readonly validate: StepResult;
  readonly build?: StepResult;
  compile?: readonly string[];
}

describe('every valid random domain compiles', () => {
  const outcomes = new Map<number, SeedOutcome>();

  beforeAll(async () => {
    const session = createBuildSession();
    // CLI seeds run as child processes while this process builds the library seeds.
    const cli = Promise.all(
      seeds
        .filter((seed) => cliSeeds.has(seed))
        .map(async (seed) => {
          const project = writeProject(base, seed);
          const validate = await validateWithCli(project);
          const build = validate.ok ? await buildWithCli(project) : undefined;
          const check = build?.ok ? await checkWithCli(project) : undefined;
          outcomes.set(seed, { project, validate, ...(build ? { build: check && !check.ok ? check : build } : {}) });
        }),
    );
    for (const seed of seeds.filter((s) => !cliSeeds.has(s))) {
      const project = writeProject(base, seed);
      const validate = await validateWithLibrary(project).catch((error: unknown) => ({ ok: false, output: `esgen validate (library) threw: ${String(error)}` }));
      outcomes.set(seed, { project, validate, ...(validate.ok ? { build: await buildWithLibrary(project, session) } : {}) });
    }
    await cli;
    const built = [...outcomes.values()].filter((o) => o.build?.ok).map((o) => o.project);
    const { perSeed } = await compileProjects(base, built);
    for (const [seed, messages] of perSeed) outcomes.get(seed)!.compile = messages;
  }, 600_000);

  it.each(seeds)('seed %i: validates, builds, and compiles under tsc --strict --noUnusedLocals --noUnusedParameters', (seed) => {
    const outcome = outcomes.get(seed)!;
    const problems: string[] = [];
    if (!outcome.validate.ok) problems.push(`esgen validate rejected a domain the generator believes valid (which side is wrong?):\n${outcome.validate.output}`);
    else if (!outcome.build?.ok) problems.push(`esgen build failed:\n${outcome.build?.output}`);
    else if ((outcome.compile ?? []).length > 0) problems.push(`tsc reported:\n${outcome.compile!.join('\n')}`);
    if (problems.length > 0) expect.fail(describeFailure(outcome.project, problems));
    expect(outcome.compile).toEqual([]);
  });
});

describe('esgen validate accepts every random valid domain', () => {
  it(`seeds ${validationSeeds.length === 300 ? '1-300' : validationSeeds.join(',')}`, async () => {
    const failures: string[] = [];
    for (const seed of validationSeeds) {
      const project = writeProject(join(base, 'validate-only'), seed);
      const result = await validateWithLibrary(project).catch((error: unknown) => ({ ok: false, output: `esgen validate threw: ${error instanceof Error ? error.stack : String(error)}` }));
      if (!result.ok) failures.push(describeFailure(project, [result.output]));
      rmSync(project.dir, { recursive: true, force: true });
    }
    expect(failures.length, failures.slice(0, 3).join('\n\n')).toBe(0);
  }, 120_000);
});
