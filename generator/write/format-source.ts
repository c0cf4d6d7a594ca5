/**
 * Formats generated TypeScript. Results are cached by input text for the whole session, so an
 * unchanged file is never formatted twice in a build or a watch session. A large build (a cold
 * one) spreads the work over worker threads, one per core: prettier is most of its cost.
 */
import { InternalError } from '../../runtime/errors.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { formatTypeScript } from './prettier-format.js';

export { prettierOptions } from './prettier-format.js';

export interface SourceFormatter {
  format(text: string): Promise<string>;
  /**
   * Announces how many files the next batch formats: a large batch goes to worker threads, a small
   * one stays on this thread. Announcing early (before the files are emitted) lets the workers
   * start and load prettier while the specs are still being read.
   */
  expect(files: number): void;
  /**
   * Formats texts on this thread without keeping the results: prettier is several times slower
   * until the JIT has seen it work, so `esgen watch` warms it up while waiting for the first edit.
   */
  warmUp(texts: readonly string[]): Promise<void>;
  /**
   * Stops the formatting threads and drops what they had queued (their promises reject): a build
   * that formatted ahead of time and then found the specs invalid does not wait for that work.
   */
  cancel(): Promise<void>;
}

/** Batches smaller than this are formatted on the main thread: starting workers costs more. */
const parallelThreshold = 48;

export function createSourceFormatter(): SourceFormatter {
  let cache = new Map<string, Promise<string>>();
  let previous = new Map<string, Promise<string>>();
  let pool: FormatPool | undefined;
  let usePool = false;

  return {
    expect(files) {
      usePool = files >= parallelThreshold;
      if (usePool && !pool) pool = createFormatPool();
    },
    async warmUp(texts) {
      for (const text of texts) await formatTypeScript(`${text}\n// warm-up\n`).catch(() => undefined);
    },
    async cancel() {
      const stopping = pool;
      pool = undefined;
      usePool = false;
      // Queued results are dropped: the next build formats those texts again if it needs them.
      cache = new Map();
      previous = new Map();
      await stopping?.terminate();
    },
    format(text) {
      let formatted = cache.get(text) ?? previous.get(text);
      if (formatted === undefined) {
        formatted = usePool && pool ? pool.format(text) : formatTypeScript(text);
        // A failed format is not cached: the next build tries again.
        const attempt = formatted;
        attempt.catch(() => {
          if (cache.get(text) === attempt) cache.delete(text);
        });
      }
      cache.set(text, formatted);
      // Two generations: what the last builds used survives, older text is dropped.
      if (cache.size > 20_000) {
        previous = cache;
        cache = new Map();
      }
      return formatted;
    },
  };
}

interface FormatPool {
  format(text: string): Promise<string>;
  terminate(): Promise<void>;
}

/**
 * Worker threads running format-worker.js. Only available from the compiled package (a worker
 * cannot load the TypeScript sources); elsewhere formatting stays on the main thread.
 */
function createFormatPool(): FormatPool | undefined {
  const script = fileURLToPath(new URL('./format-worker.js', import.meta.url));
  if (!existsSync(script)) return undefined;
  // One core stays with the main thread (loading, emitting and writing run beside formatting), and
  // a single prettier thread already keeps more than one core busy with V8's garbage-collection and
  // compiler threads: on 2 cores one worker formats the synthetic benchmark domain as fast as two
  // (3.4 s either way) for a quarter less CPU, since every extra worker warms up its own JIT.
  const size = Math.max(1, Math.min(availableParallelism() - 1, 8));
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  // Started at once: each thread boots and loads prettier while this one goes on loading specs.
  const workers = Array.from({ length: size }, () => {
    // A larger young generation: prettier allocates many short-lived objects.
    const worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    const entry = { worker, load: 0 };
    worker.on('message', (reply: { id: number; text?: string; error?: string }) => {
      entry.load -= 1;
      if (entry.load === 0) worker.unref();
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.text !== undefined) waiting?.resolve(reply.text);
      else waiting?.reject(new InternalError(`prettier failed on generated code: ${reply.error}`));
    });
    worker.on('error', (error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
    // Idle workers never keep the process alive; busy ones do (the main thread awaits their replies).
    worker.unref();
    return entry;
  });
  const post = (text: string): Promise<string> => {
    const entry = workers.reduce((least, candidate) => (candidate.load < least.load ? candidate : least));
    if (entry.load === 0) entry.worker.ref();
    entry.load += 1;
    const id = nextId++;
    return new Promise<string>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      entry.worker.postMessage({ id, text });
    });
  };
  return {
    async terminate() {
      for (const waiting of pending.values()) waiting.reject(new InternalError('formatting was cancelled'));
      pending.clear();
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
    format(text) {
      // Posted at once: the loader emits ahead from a synchronous loop, and a message left behind
      // an `await` would wait for that loop to end.
      return post(text);
    },
  };
}
