/**
 * `esgen build` and `esgen check` as library calls. A BuildSession keeps what can be reused
 * between runs (parsed specs, the ts-morph project, emitted aggregates, formatted text), so
 * `esgen watch` runs the very same code as `esgen build`, only warmer.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DomainIR } from '../ir/types.js';
import { findProject, loadFoundProject } from '../load/load-project.js';
import { evaluateLock, type LockEvaluation, type LockOptions } from '../lock/evaluate-lock.js';
import { unifiedDiff } from '../write/unified-diff.js';
import { createSpecCache, type SpecCache } from '../load/spec-cache.js';
import { compareOutput, type OutputDrift } from '../write/compare-output.js';
import { createSourceFormatter, type SourceFormatter } from '../write/format-source.js';
import { manifestFileName } from '../write/manifest.js';
import { type WriteMemory, type WriteSummary, writeOutput } from '../write/write-output.js';
import { type CodegenSession, type CodegenTarget, createCodegenSession, filesPerSpec, type RenderStats } from './codegen-session.js';

export interface BuildOptions {
  /** Folder the config path is resolved against. */
  readonly cwd: string;
  /** Path of esgen.config.yaml; default `<cwd>/esgen.config.yaml`. */
  readonly configPath?: string;
  /** Supplies DATABASE_URL to the config; process.env is never read here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** esgen.lock rules beyond the default ones (`check --strict`, `check --against <ref>`). */
  readonly lock?: LockOptions;
}

/** What a build did to esgen.lock. */
export interface LockSummary {
  /** Absolute path. */
  readonly path: string;
  readonly written: boolean;
  /** Event versions locked by this build (`OrderCreated v2`). */
  readonly added: readonly string[];
}

/** Specs did not load: nothing was written. */
export interface InvalidSpecs {
  readonly ok: false;
  readonly config?: ResolvedConfig;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

interface LoadedBuild {
  readonly ok: true;
  readonly config: ResolvedConfig;
  readonly ir: DomainIR;
  /** Warnings from loading. */
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
  readonly stats: RenderStats;
  readonly durationMs: number;
}

export type BuildResult = InvalidSpecs | (LoadedBuild & { readonly summary: WriteSummary; readonly lock: LockSummary });
export type CheckResult = InvalidSpecs | (LoadedBuild & { readonly drift: OutputDrift });

export interface BuildSession {
  /** Loads, validates, generates and writes. Writes nothing when a spec is invalid. */
  build(options: BuildOptions): Promise<BuildResult>;
  /** Loads, validates and generates in memory, then compares with the disk. Writes nothing. */
  check(options: BuildOptions): Promise<CheckResult>;
  /** Gets the formatter up to speed for the incremental builds to come (esgen watch calls it when idle). */
  warmUp(): Promise<void>;
}

export function targetOf(config: ResolvedConfig): CodegenTarget {
  return { root: config.root, outputDir: config.output, sourceDir: config.source, runtimeImport: config.runtimeImport, configFile: config.configFile };
}



export function createBuildSession(): BuildSession {
  const cache: SpecCache = createSpecCache();
  const formatter: SourceFormatter = createSourceFormatter();
  let codegen: Promise<CodegenSession> | undefined;
  const written: WriteMemory = new Map();

  function codegenSession(): Promise<CodegenSession> {
    codegen ??= createCodegenSession({ formatter });
    return codegen;
  }

  /**
   * The pipeline, one stage after the other: find the config and specs, load and check them (the
   * typed IR comes with them), emit, format (started here, finished by the writer or checker).
   * The only overlap is set up here: a first build formats every file it generates, so its
   * formatting threads start before the specs load, and ts-morph loads meanwhile.
   */
  async function generate(options: BuildOptions) {
    const started = performance.now();
    const found = await findProject({ cwd: options.cwd, ...(options.configPath ? { configPath: options.configPath } : {}), ...(options.env ? { env: options.env } : {}) });
    if (!found.ok) return { loaded: found, started };
    const cold = !existsSync(join(found.config.output, manifestFileName));
    if (cold) formatter.expect(found.files.length * filesPerSpec);
    const session = codegenSession();
    const loaded = await loadFoundProject(found, cache);
    if (!loaded.ok) {
      // Invalid specs: the formatting threads started for nothing, and must not hold up the exit.
      if (cold) await formatter.cancel();
      return { loaded, started };
    }
    // Breaking changes against esgen.lock stop the build before anything is emitted or written.
    const lock = await evaluateLock(loaded.ir, loaded.config.root, options.lock);
    if (lock.diagnostics.some((d) => d.severity === 'error')) {
      if (cold) await formatter.cancel();
      const sources = new Map([...loaded.sources, ...lock.sources]);
      return { loaded: { ok: false as const, config: loaded.config, diagnostics: [...loaded.diagnostics, ...lock.diagnostics], sources }, started };
    }
    const target = targetOf(loaded.config);
    const rendered = await (await session).startRender(loaded.ir, target);
    // Warnings of the lock stage (`--against`: read models and states that changed) go with the load's.
    const withWarnings = lock.diagnostics.length === 0 ? loaded : { ...loaded, diagnostics: [...loaded.diagnostics, ...lock.diagnostics], sources: new Map([...loaded.sources, ...lock.sources]) };
    return { loaded: withWarnings, started, target, rendered, lock };
  }

  return {
    async warmUp() {
      await (await codegenSession()).warmUp();
    },
    async build(options) {
      const { loaded, started, target, rendered, lock } = await generate(options);
      if (!loaded.ok || !rendered || !target || !lock) return { ok: false, ...(loaded.config ? { config: loaded.config } : {}), diagnostics: loaded.diagnostics, sources: loaded.sources };
      const summary = await writeOutput(rendered, { outputDir: target.outputDir, sourceDir: target.sourceDir }, written);
      return { ...loaded, stats: rendered.stats, summary, lock: await writeLock(lock), durationMs: performance.now() - started };
    },
    async check(options) {
      const { loaded, started, target, rendered, lock } = await generate(options);
      if (!loaded.ok || !rendered || !target || !lock) return { ok: false, ...(loaded.config ? { config: loaded.config } : {}), diagnostics: loaded.diagnostics, sources: loaded.sources };
      const drift = withLockDrift(await compareOutput(await rendered.done, { outputDir: target.outputDir, sourceDir: target.sourceDir }), lock);
      return { ...loaded, stats: rendered.stats, drift, durationMs: performance.now() - started };
    },
  };
}

/** Writes esgen.lock when its text changed (new versions, read models, states). */
async function writeLock(lock: LockEvaluation): Promise<LockSummary> {
  const changed = lock.current !== lock.next;
  if (changed) await writeFile(lock.path, lock.next);
  return { path: lock.path, written: changed, added: lock.added };
}

/** A lock that a build would change is drift like a stale generated file: commit what `esgen build` writes. */
function withLockDrift(drift: OutputDrift, lock: LockEvaluation): OutputDrift {
  if (lock.current === lock.next) return drift;
  if (lock.current === undefined) return { ...drift, missing: [...drift.missing, lock.path] };
  return { ...drift, stale: [...drift.stale, { path: lock.path, diff: unifiedDiff(lock.current, lock.next, { oldLabel: 'esgen.lock (on disk)', newLabel: 'esgen.lock (esgen build)' }) }] };
}

/** One-shot build (a fresh session). */
export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  return createBuildSession().build(options);
}

/** One-shot check (a fresh session). */
export async function checkProject(options: BuildOptions): Promise<CheckResult> {
  return createBuildSession().check(options);
}
