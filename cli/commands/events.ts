import type { Command } from 'commander';
import { addDatabaseOptions, describeDatabaseFailure, openDatabase, resolveDatabaseTarget, type DatabaseFlags } from '../database-target.js';
import { CliInputError, loadTargetRegistry } from '../load-registry.js';
import { registerHistory, registerTail } from './events-history.js';

interface ImportFlags extends DatabaseFlags {
  readonly registry?: string;
  readonly batchSize?: string;
  readonly dryRun?: boolean;
}

type Runtime = import('../load-runtime.js').Runtime;
type BulkEvent = import('../../runtime/index.js').BulkEvent;

/** Problems listed one per line before the rest are counted. */
const SHOWN_PROBLEMS = 50;

/**
 * `esgen events import <file.ndjson>`: legacy history into the store, one JSON event per line
 * (bulkEventFromJson), all or nothing. The whole file is checked first and every problem is
 * reported with its line; then it is written with COPY in one transaction (PostgresEventStore.appendBulk).
 */
export function register(program: Command): void {
  const events = program
    .command('events')
    .enablePositionalOptions()
    .description("an aggregate's history (`esgen events Order order-1`), its state then (--at, --version), or follow/import events");
  registerHistory(events);
  registerTail(events);
  addDatabaseOptions(
    events
      .command('import <file>')
      .description('import events from a file of JSON lines, all or nothing (COPY; original ids, times and metadata kept)')
      .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)')
      .option('--batch-size <n>', 'events per COPY statement (one transaction for the whole file)', '10000')
      .option('--dry-run', 'check every line, write nothing'),
  ).action(async (file: string, flags: ImportFlags) => {
    const target = await resolveDatabaseTarget(flags);
    if (target === undefined) return;
    const { resolve } = await import('node:path');
    const runtime: Runtime = await (await import('../load-runtime.js')).loadRuntime();
    const path = resolve(target.context.cwd, file);
    let client: Awaited<ReturnType<typeof openDatabase>> | undefined;
    try {
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize <= 0) throw new CliInputError(`--batch-size must be a positive integer, got ${flags.batchSize}`);
      const registry = await loadTargetRegistry(flags.registry, target);
      const problems: string[] = [];
      let count = 0;
      const seen = new Set<string>();
      for await (const line of readEvents(path, runtime)) {
        count += 1;
        const problem = typeof line.event === 'string' ? line.event : runtime.checkImportEvent(registry, line.event, seen);
        if (problem !== undefined) problems.push(`${file}:${line.number}: ${problem}`);
      }
      if (problems.length > 0) {
        for (const problem of problems.slice(0, SHOWN_PROBLEMS)) console.error(problem);
        if (problems.length > SHOWN_PROBLEMS) console.error(`… and ${problems.length - SHOWN_PROBLEMS} more`);
        console.error(`esgen: ${problems.length} of ${count} events are invalid; nothing was imported`);
        process.exitCode = 1;
        return;
      }
      if (flags.dryRun) {
        console.log(`esgen: ${count} events in ${file} are valid (dry run: nothing written)`);
        return;
      }
      client = await openDatabase(runtime, target);
      const scope = target.schema === undefined ? {} : { schema: target.schema };
      await runtime.migrate(client, scope);
      const inline = Object.values(registry.readModels).some((definition) => definition.mode === 'inline');
      const store = runtime.createEventStore({ client, registry, ...scope, ...(inline ? { onAppend: runtime.createInlineProjector(registry, scope) } : {}) });
      const started = performance.now();
      const events = (async function* () {
        for await (const line of readEvents(path, runtime)) yield line.event as BulkEvent;
      })();
      const result = await store.appendBulk(events, { chunkSize: batchSize });
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `esgen: imported ${result.events} events into ${result.streams} streams on ${target.description} in ${seconds.toFixed(1)} s (${Math.round(result.events / Math.max(seconds, 0.001))} events/s)`,
      );
    } catch (caught) {
      console.error(`esgen: ${caught instanceof CliInputError ? caught.message : describeDatabaseFailure(runtime, target, caught)}`);
      if (runtime.isEsgenError(caught, 'ESG211')) {
        // Collisions with stored data found while writing (ids already stored).
        for (const issue of (caught as InstanceType<Runtime['InvalidImport']>).issues.slice(0, SHOWN_PROBLEMS)) {
          if (issue.index >= 0) console.error(`${file}: event ${issue.index + 1}: ${issue.message}`);
        }
      }
      process.exitCode = 1;
    } finally {
      await client?.close().catch(() => undefined);
    }
  });
}

/** The file's events with their line numbers (blank lines skipped); a line that is not one gives why. */
async function* readEvents(path: string, runtime: Runtime): AsyncGenerator<{ number: number; event: BulkEvent | string }> {
  const { createReadStream, existsSync } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  if (!existsSync(path)) throw new CliInputError(`no such file: ${path}`);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { number, event: `not JSON: ${(error as Error).message}` };
      continue;
    }
    yield { number, event: runtime.bulkEventFromJson(value) };
  }
}
