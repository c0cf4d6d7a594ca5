/**
 * Code generation benchmark on a synthetic domain of 100 aggregates × 10 events × 3 read models
 * (written to a temp folder): cold `esgen build` (the real CLI as a child process, empty output
 * folder), and the incremental rebuild `esgen watch` does after a one-event edit (the same
 * BuildSession the watcher runs, measured in-process; cross-checked against the timing lines of a
 * real `esgen watch` process), each beside `tsc --noEmit` over the generated output in the same
 * run. Medians of several repetitions.
 *
 *   npm run bench -- --only codegen
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuildSession } from '../generator/pipeline/build-session.js';
import type { BenchOptions } from './run.js';
import { collectGarbage, median, time } from './support/measure.js';
import { formatNumber, printTable } from './support/print-table.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const esgenBin = join(repoRoot, 'bin/esgen.js');
const tscBin = join(repoRoot, 'node_modules/typescript/bin/tsc');

const AGGREGATES = 100;
const EVENTS = 10;

/** One synthetic aggregate spec: value types, state, 10 events (some versioned, some hand-applied), 3 read models. */
export function syntheticSpec(index: number, extraField = ''): string {
  const name = `Thing${String(index).padStart(3, '0')}`;
  const events = Array.from({ length: EVENTS }, (_, e) => `${name}Event${e}`);
  const lines = [
    `aggregate: ${name}`,
    `description: Synthetic aggregate ${index}.`,
    'id: uuid',
    'snapshot: { every: 50 }',
    'types:',
    `  ${name}Line: { sku: string, quantity: integer, price: number, tags: 'string[]?' }`,
    `  ${name}Status: { enum: [draft, active, done, archived] }`,
    'state:',
    '  title: string',
    `  status: { type: ${name}Status, default: draft }`,
    `  lines: ${name}Line[]`,
    '  total: { type: number, default: 0 }',
    '  touchedAt: datetime?',
    '  owner: uuid?',
    'events:',
  ];
  events.forEach((event, e) => {
    lines.push(`  ${event}:`);
    if (e % 3 === 0) {
      lines.push(
        '    version: 2',
        `    fields: { title: string, owner: uuid, amount: number, at: datetime, lines: '${name}Line[]', note: string?${e === 0 ? extraField : ''} }`,
        '    history:',
        '      1:',
        `        fields: { name: string, owner: uuid, amount: number, at: datetime, lines: '${name}Line[]', legacy: boolean }`,
        '        upcast: { rename: { name: title }, remove: [legacy] }',
        '    apply: { title: event.title, owner: event.owner, total: event.amount, touchedAt: event.at, lines: event.lines, status: active }',
      );
    } else if (e % 3 === 1) {
      lines.push(`    fields: { amount: number, reason: string?, count: integer${e === 1 ? extraField : ''} }`, '    apply: { total: event.amount, touchedAt: $occurredAt }');
    } else {
      lines.push(`    fields: { label: string, flag: boolean, day: date${e === 2 ? extraField : ''} }`); // no apply: on<Event> in TypeScript
    }
  });
  const projection = (suffix: string) => `thing_${String(index).padStart(3, '0')}_${suffix}`;
  lines.push(
    'readModels:',
    `  ${name}List:`,
    `    projection: ${projection('list')}`,
    '    fields:',
    `      title: { type: string, from: ${events[0]}.title, index: true }`,
    `      status: { type: ${name}Status, index: true, on: { ${events[0]}: active, ${events[3]}: done, ${events[6]}: archived } }`,
    `      total: { type: number, default: 0, on: { ${events[1]}: { add: amount }, ${events[4]}: { add: amount } } }`,
    `      createdAt: { type: datetime, from: ${events[0]}.$occurredAt }`,
    `    delete: [${events[9]}]`,
    `  ${name}Daily:`,
    `    projection: ${projection('daily')}`,
    `    key: ${events[1]}.$occurredAt:day`,
    '    fields:',
    `      count: { type: integer, default: 0, on: { ${events[1]}: { increment: 1 } } }`,
    `      sum: { type: number, default: 0, on: { ${events[1]}: { add: amount } } }`,
    `      largest: { type: number?, on: { ${events[1]}: { max: amount } } }`,
    `  ${name}Activity:`,
    `    projection: ${projection('activity')}`,
    '    fields:',
    `      labels: { type: 'string[]', default: [], on: { ${events[2]}: { append: label }, ${events[5]}: { append: label } } }`,
    `      lastVersion: { type: integer, on: { ${events[2]}: { set: $version }, ${events[5]}: { set: $version } } }`,
    `      firstAt: { type: datetime?, on: { ${events[2]}: { min: $occurredAt } } }`,
  );
  return `${lines.join('\n')}\n`;
}

function writeSyntheticProject(dir: string): void {
  mkdirSync(join(dir, 'domain'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(join(dir, 'esgen.config.yaml'), 'specs: domain/*.esgen.yaml\noutput: src/generated\nsource: src/domain\n');
  for (let index = 0; index < AGGREGATES; index++) writeFileSync(join(dir, 'domain', `thing-${String(index).padStart(3, '0')}.esgen.yaml`), syntheticSpec(index));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, strict: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')], paths: { 'esgen/runtime': [join(repoRoot, 'runtime/index.ts')] } },
      include: ['src'],
    }),
  );
}

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(process.execPath, [command, ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
}

/** Timing lines of a real `esgen watch` process over `edits` one-event edits (gives up after 60 s). */
async function watchProcessTimings(dir: string, edits: number): Promise<number[]> {
  const child = spawn(process.execPath, [esgenBin, 'watch'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const poll = () => {
        if (done()) resolve();
        else if (child.exitCode !== null || Date.now() > deadline) reject(new Error(`esgen watch did not report in time:\n${stdout}`));
        else setTimeout(poll, 10);
      };
      poll();
    });
  const rebuilds = () => stdout.match(/rebuilt in \d+ ms after/g)?.length ?? 0;
  try {
    await until(() => stdout.includes('watching for changes'));
    // A person edits seconds after starting the watcher; by then it has warmed up its formatter.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (let edit = 1; edit <= edits; edit++) {
      writeFileSync(join(dir, 'domain/thing-050.esgen.yaml'), syntheticSpec(50, `, watched${edit}: string?`));
      await until(() => rebuilds() >= edit);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  } finally {
    child.kill('SIGTERM');
  }
  return [...stdout.matchAll(/rebuilt in (\d+) ms after/g)].map((match) => Number(match[1]));
}

const ms = (values: readonly number[], digits = 0) => values.map((value) => value.toFixed(digits)).join(', ');

export default async function codegenBench(_options: BenchOptions): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'esgen-bench-codegen-'));
  const dir = join(base, 'project');
  const repetitions = 3;
  // The cold build is the number the target is about, on a machine others share: more samples.
  const coldRepetitions = 5;
  try {
    writeSyntheticProject(dir);
    const typecheck = async () => {
      const samples: number[] = [];
      for (let repetition = 0; repetition < repetitions; repetition++) samples.push(await time(async () => run(tscBin, ['-p', 'tsconfig.json'], dir)));
      return samples;
    };

    // Cold: a fresh process and an empty output folder each time (user-owned files stay, as in a
    // real project), each build followed by tsc over what it wrote, so both see the same output and
    // the same load of a shared machine.
    const cold: number[] = [];
    const tscCold: number[] = [];
    for (let repetition = 0; repetition < coldRepetitions; repetition++) {
      rmSync(join(dir, 'src/generated'), { recursive: true, force: true });
      collectGarbage();
      cold.push(await time(async () => run(esgenBin, ['build'], dir)));
      tscCold.push(await time(async () => run(tscBin, ['-p', 'tsconfig.json'], dir)));
    }
    const generatedFiles = Object.keys((JSON.parse(readFileSync(join(dir, 'src/generated/.esgen-manifest.json'), 'utf8')) as { files: object }).files).length;
    console.log(`cold esgen build (empty output folder): ${ms(cold)} ms`);
    console.log(`tsc --noEmit on the output: ${ms(tscCold)} ms`);

    // A fresh process on an existing output (CI running esgen build or check on a checkout): one spec edited.
    const existing: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      writeFileSync(join(dir, 'domain/thing-020.esgen.yaml'), syntheticSpec(20, `, fresh${repetition}: string?`));
      existing.push(await time(async () => run(esgenBin, ['build'], dir)));
    }
    console.log(`fresh-process esgen build, output present, one spec edited: ${ms(existing)} ms`);

    // Incremental: the watcher's session, warm, then one event of one aggregate edited per rebuild.
    const session = createBuildSession();
    const warm = await session.build({ cwd: dir });
    if (!warm.ok) throw new Error('synthetic domain did not load');
    await session.warmUp(); // as esgen watch does while waiting for the first edit
    const incremental: number[] = [];
    for (let edit = 1; edit <= 9; edit++) {
      const target = (edit * 37) % AGGREGATES;
      // No forced GC here: a full collection right before a small build shrinks the heap and doubles the build's time; the watcher never does that.
      writeFileSync(join(dir, 'domain', `thing-${String(target).padStart(3, '0')}.esgen.yaml`), syntheticSpec(target, `, added${edit}: string?`));
      const result = await session.build({ cwd: dir });
      if (!result.ok || result.stats.emittedAggregates !== 1) throw new Error(`edit ${edit} re-emitted ${result.ok ? result.stats.emittedAggregates : 'nothing'} aggregates`);
      incremental.push(result.durationMs);
    }
    console.log(`incremental rebuild in-process (one-event edit): ${ms(incremental, 1)} ms`);
    const watched = await watchProcessTimings(dir, 5);
    console.log(`incremental rebuild, esgen watch timing lines: ${ms(watched)} ms`);
    const tscAfter = await typecheck();

    const tscMedian = median([...tscCold, ...tscAfter]);
    const row = (name: string, samples: readonly number[], target: string, digits = 0, tsc = tscMedian) => [name, formatNumber(median(samples), digits), formatNumber(tsc), formatNumber(median(samples) / tsc, 3), target];
    printTable(
      `codegen: synthetic domain, ${AGGREGATES} aggregates × ${EVENTS} events × 3 read models (${generatedFiles} generated files); medians in ms`,
      ['workload', 'esgen', 'tsc --noEmit (same output)', 'esgen / tsc', 'target'],
      [
        // Against the tsc runs paired with the cold builds (same output, same moments).
        row('cold esgen build, empty output (child process)', cold, '≤ 0.8', 0, median(tscCold)),
        row('esgen build, output present, one spec edited (child process)', existing, '–'),
        row('incremental rebuild, one-event edit (in-process session)', incremental, '< 100 ms', 1),
        row('incremental rebuild, one-event edit (esgen watch line)', watched, '< 100 ms'),
      ],
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
