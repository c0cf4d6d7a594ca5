/**
 * `esgen watch`: rebuilds whenever the config or a spec changes. Changes are debounced, builds
 * never overlap (a change during a build schedules exactly one more), a failing build keeps the
 * last good output on disk, and the session keeps parsed specs, the ts-morph project and emitted
 * aggregates between builds, so a one-file edit re-emits one aggregate.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { BuildOptions, BuildResult, BuildSession } from './build-session.js';
import { createBuildSession } from './build-session.js';

export interface WatchOptions extends BuildOptions {
  /** Quiet period after the last change before building; default 50 ms. */
  readonly debounceMs?: number;
  /** Called after every build (the first one too). */
  readonly onBuild: (result: BuildResult, context: { readonly trigger: readonly string[]; readonly previousFailed: boolean }) => void;
  /** Called for unexpected failures (a bug or an I/O error), which do not stop watching. */
  readonly onError: (error: unknown) => void;
}

export interface ProjectWatcher {
  /** Resolves once the first build is done and the file watcher is ready. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** The folder part of a glob before its first wildcard: `domain/**\/*.esgen.yaml` → `domain`. */
export function globBase(glob: string): string {
  const segments = glob.split('/');
  const fixed: string[] = [];
  for (const segment of segments) {
    if (/[*?[\]{}!]/.test(segment)) break;
    fixed.push(segment);
  }
  // A glob without wildcards names a file: watch its folder.
  if (fixed.length === segments.length) fixed.pop();
  return fixed.join('/') || '.';
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function watchProject(options: WatchOptions): ProjectWatcher {
  const session: BuildSession = createBuildSession();
  const debounceMs = options.debounceMs ?? 50;
  const configPath = resolve(options.cwd, options.configPath ?? 'esgen.config.yaml');
  let watcher: FSWatcher | undefined;
  let watched = new Set<string>();
  let outputDir: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let building = false;
  let pending: string[] = [];
  let previousFailed = false;
  let closed = false;

  async function runBuild(trigger: readonly string[]): Promise<void> {
    building = true;
    try {
      const result = await session.build(options);
      if (result.config) {
        outputDir = result.config.output;
        // The config may have changed its spec globs: watch the new folders too.
        watchFolders(result.config.specs.map((glob) => join(result.config!.root, globBase(glob))));
      }
      if (!closed) options.onBuild(result, { trigger, previousFailed });
      previousFailed = !result.ok;
    } catch (error) {
      options.onError(error);
    } finally {
      building = false;
    }
    if (pending.length > 0 && !closed) schedule();
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (building) return; // the running build reschedules when it ends
      const trigger = pending;
      pending = [];
      void runBuild(trigger);
    }, debounceMs);
  }

  function onChange(path: string): void {
    const absolute = resolve(path);
    if (outputDir && isInside(outputDir, absolute)) return; // our own output
    if (absolute !== configPath && !/\.ya?ml$/i.test(absolute)) return;
    pending.push(relative(options.cwd, absolute) || absolute);
    schedule();
  }

  function watchFolders(folders: readonly string[]): void {
    const fresh = folders.filter((folder) => !watched.has(folder));
    if (fresh.length === 0) return;
    watched = new Set([...watched, ...fresh]);
    watcher?.add(fresh);
  }

  const ready = (async () => {
    watched.add(configPath);
    // The first build resolves the config, which names the spec folders to watch.
    await runBuild([]);
    const { watch } = await import('chokidar');
    watcher = watch([...watched], {
      ignoreInitial: true,
      ignored: (path: string) => /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(path) || (outputDir !== undefined && isInside(outputDir, resolve(path))),
    });
    watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
    watcher.on('error', (error) => options.onError(error));
    await new Promise<void>((done) => watcher!.once('ready', () => done()));
    // While waiting for the first edit: the first rebuilds would otherwise run prettier cold.
    void session.warmUp().catch((error: unknown) => options.onError(error));
  })();

  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await ready.catch(() => undefined);
      await watcher?.close();
    },
  };
}
