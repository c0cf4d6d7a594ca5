/**
 * `esgen build` and `esgen check` as library calls. A BuildSession keeps what can be reused
 * between runs (parsed specs, the ts-morph project, emitted aggregates, formatted text), so
 * `esgen watch` runs the very same code as `esgen build`, only warmer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DomainIR } from '../ir/types.js';
import { loadProject } from '../load/load-project.js';
import { createSpecCache, type SpecCache } from '../load/spec-cache.js';
import { compareOutput, type OutputDrift } from '../write/compare-output.js';
import { createSourceFormatter, type SourceFormatter } from '../write/format-source.js';
import { manifestFileName } from '../write/manifest.js';
import { type WriteMemory, type WriteSummary, writeOutput } from '../write/write-output.js';
import { type CodegenSession, type CodegenTarget, createCodegenSession, type RenderStats } from './codegen-session.js';

export interface BuildOptions {
  /** Folder the config path is resolved against. */
  readonly cwd: string;
  /** Path of esgen.config.yaml; default `<cwd>/esgen.config.yaml`. */
  readonly configPath?: string;
  /** Supplies DATABASE_URL to the config; process.env is never read here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
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

export type BuildResult = InvalidSpecs | (LoadedBuild & { readonly summary: WriteSummary });
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

/** Files generated per spec (types, events, validators, upcasters, base class, read models, registry, index). */
const filesPerSpec = 8;

export function createBuildSession(): BuildSession {
  const cache: SpecCache = createSpecCache();
  const formatter: SourceFormatter = createSourceFormatter();
  let codegen: Promise<CodegenSession> | undefined;
  // The same session once ts-morph has loaded (the loader calls back synchronously).
  let codegenReady: CodegenSession | undefined;
  const written: WriteMemory = new Map();

  function codegenSession(): Promise<CodegenSession> {
    codegen ??= createCodegenSession({ formatter }).then((session) => (codegenReady = session));
    return codegen;
  }

  async function generate(options: BuildOptions) {
    const started = performance.now();
    let session: Promise<CodegenSession> | undefined;
    let coldTarget: CodegenTarget | undefined;
    let emittedAhead = false;
    const loaded = await loadProject({
      cwd: options.cwd,
      ...(options.configPath ? { configPath: options.configPath } : {}),
      cache,
      ...(options.env ? { env: options.env } : {}),
      // A first build (no manifest yet) formats every file it generates: start the formatting
      // threads now, and emit each aggregate as soon as its spec is loaded, so formatting runs on
      // the other core while this one reads the remaining specs.
      onSpecFiles(config, files) {
        const cold = !existsSync(join(config.output, manifestFileName));
        if (cold) {
          coldTarget = targetOf(config);
          formatter.expect(files.length * filesPerSpec);
        }
        // ts-morph loads after the formatting threads have started: its loading holds this thread
        // for a while, which they spend loading prettier. A cold build reads the specs once it is
        // there, so that each aggregate is emitted (and handed to the formatting threads) as soon
        // as its spec is loaded.
        session = codegenSession();
        return cold ? session.catch(() => undefined) : undefined;
      },
      onAggregate(aggregate) {
        if (!coldTarget || !codegenReady) return;
        codegenReady.emitAhead(aggregate, coldTarget);
        emittedAhead = true;
      },
    });
    if (!loaded.ok) {
      // Invalid specs: the files formatted ahead are not needed, and must not hold up the exit.
      if (emittedAhead) await formatter.cancel();
      return { loaded, started };
    }
    const target = targetOf(loaded.config);
    const rendered = await (await (session ?? codegenSession())).startRender(loaded.ir, target);
    return { loaded, started, target, rendered };
  }

  return {
    async warmUp() {
      await (await codegenSession()).warmUp();
    },
    async build(options) {
      const { loaded, started, target, rendered } = await generate(options);
      if (!loaded.ok || !rendered || !target) return { ok: false, ...(loaded.config ? { config: loaded.config } : {}), diagnostics: loaded.diagnostics, sources: loaded.sources };
      const summary = await writeOutput(rendered, { outputDir: target.outputDir, sourceDir: target.sourceDir }, written);
      return { ...loaded, stats: rendered.stats, summary, durationMs: performance.now() - started };
    },
    async check(options) {
      const { loaded, started, target, rendered } = await generate(options);
      if (!loaded.ok || !rendered || !target) return { ok: false, ...(loaded.config ? { config: loaded.config } : {}), diagnostics: loaded.diagnostics, sources: loaded.sources };
      const drift = await compareOutput(await rendered.done, { outputDir: target.outputDir, sourceDir: target.sourceDir });
      return { ...loaded, stats: rendered.stats, drift, durationMs: performance.now() - started };
    },
  };
}

/** One-shot build (a fresh session). */
export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  return createBuildSession().build(options);
}

/** One-shot check (a fresh session). */
export async function checkProject(options: BuildOptions): Promise<CheckResult> {
  return createBuildSession().check(options);
}
