/**
 * IR → rendered output, reusing work across builds of one session (one `esgen build`, or a whole
 * `esgen watch`): the loaded ts-morph and prettier modules, the formatting cache (and its worker
 * threads), and the emitted files of every aggregate whose IR hash did not change.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import type { DomainIR } from '../ir/types.js';
import type { EmitContext, EmittedFile, EmitOptions, ScaffoldFile, TsMorph } from '../emit/emit-context.js';
import { type AggregateEmitContext, aggregateHash, createScaffoldRenderer, type EmittedAggregate, emitAggregate, emitShared, type ScaffoldRenderer, sharedHash } from '../emit/emit-domain.js';
import { createSourceFormatter, type SourceFormatter } from '../write/format-source.js';
import { emitCrossScaffolds } from '../emit/emit-scaffolds.js';
import { createRenderCache, inputHash, type OutputInProgress, type RenderedOutput, startRender } from '../write/render-output.js';
import { readReusableOutput, type ReusableOutput } from '../write/reuse-output.js';

/** Files generated per spec (types, events, base class, read models, registry, index). */
export const filesPerSpec = 6;

export interface CodegenTarget {
  /** Absolute folder of the config file. */
  readonly root: string;
  /** Absolute output folder. */
  readonly outputDir: string;
  /** Absolute user-owned source folder. */
  readonly sourceDir: string;
  readonly runtimeImport: string;
  /** Absolute path of the config file (named in banners of files built from all specs). */
  readonly configFile: string;
}

export interface RenderStats {
  /** Aggregates whose files were emitted in this render (the others came from the session cache). */
  readonly emittedAggregates: number;
  readonly totalAggregates: number;
}

export interface CodegenSession {
  render(ir: DomainIR, target: CodegenTarget): Promise<RenderedOutput & { readonly stats: RenderStats }>;
  /** Like render, but returns as soon as everything is emitted, with the formatting still under way. */
  startRender(ir: DomainIR, target: CodegenTarget): Promise<OutputInProgress & { readonly stats: RenderStats }>;
  /** Warms up the formatter on this session's emitted files (see SourceFormatter.warmUp). */
  warmUp(files?: number): Promise<void>;
}

/** User-owned files of an aggregate that do not exist yet: only they are formatted ahead (and written). */
function missingScaffolds(emitted: EmittedAggregate, target: CodegenTarget): ScaffoldFile[] {
  return emitted.scaffolds.filter((scaffold) => !existsSync(join(target.sourceDir, scaffold.path)));
}

function toPosix(path: string): string {
  return path.split(sep).join(posix.sep);
}

export function emitOptionsFor(target: CodegenTarget): EmitOptions & { readonly generatedFromSource: string } {
  return {
    runtimeImport: target.runtimeImport,
    sourceFromOutput: toPosix(relative(target.outputDir, target.sourceDir)) || '.',
    generatedFromSource: toPosix(relative(target.sourceDir, target.outputDir)) || '.',
    configFile: toPosix(relative(target.root, target.configFile)),
  };
}

export interface CodegenSessionOptions {
  /**
   * Take generated files on disk as they are when their manifest entry shows the same input and
   * content (default true). Golden tests turn it off to format everything afresh.
   */
  readonly reuseOutput?: boolean;
  /** The formatter to use (a build session creates it early, to start its threads sooner); default a new one. */
  readonly formatter?: SourceFormatter;
}

export async function createCodegenSession(sessionOptions: CodegenSessionOptions = {}): Promise<CodegenSession> {
  const formatter: SourceFormatter = sessionOptions.formatter ?? createSourceFormatter();
  // ts-morph through require: it is CommonJS, and importing it as a module first scans its source
  // for exports (a tenth of a second of its load time, on every build).
  const tsm = createRequire(import.meta.url)('ts-morph') as TsMorph;
  const handlebars = await import('handlebars');
  const render: ScaffoldRenderer = createScaffoldRenderer(handlebars.default);
  let aggregateCache = new Map<string, EmittedAggregate>();
  let sharedCache: { key: string; files: EmittedFile[] } | undefined;
  const renderCache = createRenderCache();
  // Output folders whose files on disk were already offered for reuse in this session.
  const seenOutputs = new Set<string>();
  // Aggregates emitted ahead of the next render, by the same key as aggregateCache.

  const session: CodegenSession = {
    async render(ir, target) {
      const { done, stats } = await session.startRender(ir, target);
      return { ...(await done), stats };
    },
    async warmUp(files = 40) {
      const texts = [...aggregateCache.values()].flatMap((emitted) => emitted.files.map((file) => file.text));
      await formatter.warmUp(texts.slice(0, files));
    },
    async startRender(ir, target) {
      const options = emitOptionsFor(target);
      const optionsKey = JSON.stringify(options);
      const context: AggregateEmitContext = { ...options, tsm, render };
      const nextCache = new Map<string, EmittedAggregate>();
      const files: EmittedFile[] = [];
      const scaffolds: ScaffoldFile[] = [];
      let emittedAggregates = 0;
      const keys = ir.aggregates.map((aggregate) => `${optionsKey}\0${aggregateHash(aggregate)}`);
      let reusable: ReusableOutput = new Map();
      if (sessionOptions.reuseOutput !== false && !seenOutputs.has(target.outputDir)) {
        seenOutputs.add(target.outputDir);
        reusable = await readReusableOutput(target.outputDir);
      }
      const toEmit = keys.filter((key) => !aggregateCache.has(key)).length;
      // Files reusable from disk need no formatting: only the rest decides whether workers pay off.
      formatter.expect(Math.max(0, toEmit * filesPerSpec - reusable.size));
      for (const [index, aggregate] of ir.aggregates.entries()) {
        const key = keys[index]!;
        let emitted = aggregateCache.get(key);
        if (!emitted) {
          emitted = emitAggregate(aggregate, context);
          emittedAggregates += 1;
          for (const file of emitted.files) {
            const onDisk = reusable.get(file.path);
            if (onDisk && onDisk.input === inputHash(file, renderCache)) renderCache.finalText.set(file, onDisk.text);
            // Start formatting now: worker threads format while the next aggregate is emitted.
            else void formatter.format(file.text).catch(() => undefined);
          }
          for (const scaffold of missingScaffolds(emitted, target)) void formatter.format(scaffold.text).catch(() => undefined);
        }
        nextCache.set(key, emitted);
        files.push(...emitted.files);
        scaffolds.push(...emitted.scaffolds);
      }
      aggregateCache = nextCache;
      const sharedKey = `${optionsKey}\0${sharedHash(ir)}`;
      if (sharedCache?.key !== sharedKey) {
        sharedCache = { key: sharedKey, files: emitShared(ir, context as EmitContext) };
        for (const file of sharedCache.files) {
          const onDisk = reusable.get(file.path);
          if (onDisk && onDisk.input === inputHash(file, renderCache)) renderCache.finalText.set(file, onDisk.text);
        }
      }
      files.push(...sharedCache.files);
      scaffolds.push(...emitCrossScaffolds(ir, context, render));
      const rendering = startRender(files, scaffolds, formatter, renderCache);
      return { ...rendering, stats: { emittedAggregates, totalAggregates: ir.aggregates.length } };
    },
  };
  return session;
}
