/**
 * `npm run fuzz -- --runs 500`: the compile property of compile.property.test.ts over many
 * seeds, with a summary of the failing seeds grouped by cause.
 *
 *   --runs N         seeds from --from (default 1) to --from + N - 1 (default 100)
 *   --seed 17,40     exactly these seeds (ranges: 1-50)
 *   --tricky P       probability of tricky names (default 0.15; 0 for none)
 *   --runtime        also the runtime round trip (round-trip.ts) of each seed, on PGlite
 *                    (or on DATABASE_URL), with runtime domains (no tricky names)
 *   --cli            validate and build through the real binary (slower)
 *   --keep           keep the projects (the folder is printed)
 *   --batch N        seeds per tsc run (default 50)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBuildSession } from '../../generator/index.js';
import { createPgClient, createPgliteClient, type SqlClient } from '../../runtime/index.js';
import { compileCauses, shape } from './failure-causes.js';
import {
  buildWithCli,
  buildWithLibrary,
  compileProjects,
  prepareBase,
  validateWithCli,
  validateWithLibrary,
  writeProject,
  type PropertyProject,
} from './property-project.js';
import { parseSeeds } from './property-seeds.js';
import { roundTrip, type RoundTripCounts } from './round-trip.js';
import { writeUserCode } from './user-code.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    tricky: { type: 'string' },
    runtime: { type: 'boolean', default: false },
    cli: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    batch: { type: 'string', default: '50' },
  },
});

const seeds = values.seed ? parseSeeds(values.seed) : Array.from({ length: Number(values.runs) }, (_, i) => Number(values.from) + i);
const tricky = values.tricky === undefined ? undefined : Number(values.tricky);
const base = mkdtempSync(join(tmpdir(), 'esgen-fuzz-'));
prepareBase(base);

/** cause → failing seeds */
const causes = new Map<string, number[]>();
const failing = new Set<number>();
const blame = (seed: number, cause: string) => {
  failing.add(seed);
  const list = causes.get(cause) ?? [];
  if (!list.includes(seed)) list.push(seed);
  causes.set(cause, list);
};
const details = new Map<number, string[]>();
const note = (seed: number, text: string) => details.set(seed, [...(details.get(seed) ?? []), text]);

const started = performance.now();
const session = createBuildSession();
let buildMs = 0;
let compileMs = 0;
const batchSize = Number(values.batch);
for (let i = 0; i < seeds.length; i += batchSize) {
  const batch = seeds.slice(i, i + batchSize);
  const built: PropertyProject[] = [];
  const t0 = performance.now();
  for (const seed of batch) {
    const project = writeProject(base, seed, tricky === undefined ? {} : { trickyNames: tricky });
    const validate = values.cli ? await validateWithCli(project) : await validateWithLibrary(project).catch((error: unknown) => ({ ok: false, output: `esgen validate threw: ${String(error)}` }));
    if (!validate.ok) {
      const codes = [...new Set([...validate.output.matchAll(/\b(ESG\d{3})\b/g)].map((m) => m[1]))];
      blame(seed, /threw/.test(validate.output) ? `validate threw: ${shape(validate.output.split('\n')[0]!)}` : `validate rejected a valid domain: ${codes.join(', ') || shape(validate.output)}`);
      note(seed, validate.output);
      continue;
    }
    const build = values.cli ? await buildWithCli(project) : await buildWithLibrary(project, session);
    if (!build.ok) {
      const first = build.output.split('\n').find((line) => /Error|error/.test(line)) ?? build.output.split('\n')[1] ?? '';
      blame(seed, `build failed: ${shape(first)}`);
      note(seed, build.output);
      continue;
    }
    built.push(project);
  }
  const t1 = performance.now();
  const { perSeed } = await compileProjects(base, built);
  const t2 = performance.now();
  buildMs += t1 - t0;
  compileMs += t2 - t1;
  for (const [seed, messages] of perSeed) {
    for (const cause of compileCauses(messages)) blame(seed, cause);
    if (messages.length > 0) note(seed, messages.join('\n'));
  }
  process.stdout.write(`  ${Math.min(i + batchSize, seeds.length)}/${seeds.length} seeds compiled, ${failing.size} failing\n`);
}

const runtimeTotals: RoundTripCounts = { events: 0, saves: 0, loads: 0, loadsAtVersion: 0, upcasts: 0, readModelRows: 0 };
const runtimeCauses = new Map<string, number[]>();
const runtimeFailing = new Set<number>();
let runtimeMs = 0;
if (values.runtime) {
  const t0 = performance.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const client: SqlClient = databaseUrl ? await createPgClient({ connectionString: databaseUrl }) : await createPgliteClient();
  const runtimeBase = join(base, 'runtime');
  prepareBase(runtimeBase);
  for (const seed of seeds) {
    const project = writeProject(runtimeBase, seed, { forRuntime: true, ...(tricky === undefined ? {} : { trickyNames: tricky }) });
    const schema = `fuzz_${process.pid}_${seed}`;
    const blameRuntime = (cause: string) => {
      runtimeFailing.add(seed);
      runtimeCauses.set(cause, [...new Set([...(runtimeCauses.get(cause) ?? []), seed])]);
    };
    try {
      const build = await buildWithLibrary(project, session);
      if (!build.ok) {
        blameRuntime(`build failed: ${shape(build.output.split('\n')[1] ?? '')}`);
        continue;
      }
      writeUserCode(project);
      const report = await roundTrip(project, { client, schema });
      for (const key of Object.keys(runtimeTotals) as (keyof RoundTripCounts)[]) runtimeTotals[key] += report.counts[key];
      for (const difference of report.differences) blameRuntime(difference.kind);
      if (report.differences.length > 0) note(seed, report.differences.slice(0, 5).map((d) => `${d.kind} at ${d.where}: ${d.detail}`).join('\n'));
    } catch (error) {
      blameRuntime(`round trip threw: ${shape(error instanceof Error ? error.message : String(error))}`);
      note(seed, error instanceof Error ? (error.stack ?? error.message) : String(error));
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    }
    if (runtimeFailing.size > 0 && seed % 25 === 0) process.stdout.write(`  runtime: ${seed}, ${runtimeFailing.size} failing\n`);
  }
  await client.close();
  runtimeMs = performance.now() - t0;
}

const table = (title: string, map: Map<string, number[]>) => {
  if (map.size === 0) return;
  console.log(`\n${title}`);
  console.log('| seeds | cause | e.g. seeds |\n|---:|---|---|');
  for (const [cause, list] of [...map].sort((a, b) => b[1].length - a[1].length)) console.log(`| ${list.length} | ${cause.replace(/\|/g, '\\|')} | ${list.slice(0, 6).join(', ')} |`);
};

console.log(`\n${seeds.length} seeds: ${seeds.length - failing.size} compile, ${failing.size} fail (validate+build ${(buildMs / 1000).toFixed(1)} s, tsc ${(compileMs / 1000).toFixed(1)} s)`);
table('Compile property: failing seeds by cause (a seed can have several causes)', causes);
if (values.runtime) {
  console.log(`\nRuntime round trip: ${seeds.length - runtimeFailing.size} of ${seeds.length} seeds without a difference (${(runtimeMs / 1000).toFixed(1)} s); ${JSON.stringify(runtimeTotals)}`);
  table('Runtime round trip: seeds by difference', runtimeCauses);
}
if (seeds.length <= 3) for (const [seed, lines] of details) console.log(`\n--- seed ${seed}\n${lines.join('\n')}`);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s; replay one seed: npm run fuzz -- --seed N --keep`);
if (values.keep) console.log(`projects kept in ${base}`);
else rmSync(base, { recursive: true, force: true });
process.exit(failing.size > 0 || runtimeFailing.size > 0 ? 1 : 0);
