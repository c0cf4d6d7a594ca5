/**
 * Time travel for people: `esgen events <Aggregate> <id>` prints an aggregate's history, `--at` /
 * `--version` its state then (replayed by the user's own class, so hand-written handlers count),
 * and `esgen events tail` follows events as they commit.
 */
import type { Command } from 'commander';
import { closestMatch } from '../../generator/diagnostics/did-you-mean.js';
import { withDatabase, type DatabaseSession } from '../database-session.js';
import { addDatabaseOptions, describeDatabaseFailure, type DatabaseFlags, type DatabaseTarget } from '../database-target.js';
import { envelopeToJson, formatHistory, formatStateAt, formatTailLine } from '../event-history-format.js';
import { CliInputError, loadAggregateClass, loadTargetRegistry } from '../load-registry.js';

type Registry = import('../../runtime/index.js').Registry;

interface HistoryFlags extends DatabaseFlags {
  readonly registry?: string;
  readonly aggregateModule?: string;
  readonly at?: string;
  readonly version?: string;
  readonly json?: boolean;
}

interface TailFlags extends DatabaseFlags {
  readonly registry?: string;
  readonly type?: readonly string[];
  readonly from?: string;
  readonly json?: boolean;
}

/** Adds the history form to the `events` command (`esgen events Order order-1`). */
export function registerHistory(events: Command): void {
  addDatabaseOptions(
    events
      .argument('[aggregate]', 'aggregate type, e.g. Order')
      .argument('[id]', 'aggregate id')
      .option('--at <time>', 'print the state as of this time (ISO 8601, e.g. 2026-11-30T12:00:00Z)')
      .option('--version <n>', 'print the state at this version of the stream')
      .option('--json', 'machine-readable output')
      .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)')
      .option('--aggregate-module <module>', "module exporting the aggregate's class, for --at/--version (default: <config source>/<aggregate>.ts)"),
  ).action(async (aggregate: string | undefined, id: string | undefined, flags: HistoryFlags, command: Command) => {
    if (aggregate === undefined || id === undefined) {
      command.help({ error: true });
      return;
    }
    await withRegistry(flags, async ({ runtime, target, client }, registry) => {
      const type = aggregateTypeIn(registry, aggregate);
      const store = runtime.createEventStore({ client, registry, ...schemaOf(target) });
      if (flags.at === undefined && flags.version === undefined) {
        const history = await store.getEventsByAggregate(type, id);
        if (history.length === 0) throw new CliInputError(`no events for ${type} ${JSON.stringify(id)} on ${target.description}`);
        process.stdout.write(flags.json ? `${JSON.stringify(history.map(envelopeToJson), null, 2)}\n` : formatHistory(type, id, history, (eventType) => registry.events[eventType]?.version ?? 1));
        return;
      }
      if (flags.at !== undefined && flags.version !== undefined) throw new CliInputError('give --at or --version, not both');
      const { resolve } = await import('node:path');
      const { kebabCase } = await import('../../generator/emit/names.js');
      const modulePath = flags.aggregateModule ? resolve(target.context.cwd, flags.aggregateModule) : resolve(target.source, `${kebabCase(type)}.ts`);
      const repository = runtime.createRepository(store, await loadAggregateClass(modulePath, type));
      const at = flags.at === undefined ? undefined : parseTime(flags.at);
      const loaded = at !== undefined ? await repository.loadAtTime(id, at) : await repository.loadAtVersion(id, parseVersion(flags.version!));
      const state = loaded.snapshotState();
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ aggregateType: type, aggregateId: id, ...(at !== undefined ? { at: at.toISOString() } : {}), version: loaded.version, state }, null, 2)}\n`
          : formatStateAt(type, id, at, loaded.version, state),
      );
    });
  });
}

/** `esgen events tail`: prints events as they commit, until interrupted. */
export function registerTail(events: Command): void {
  addDatabaseOptions(
    events
      .command('tail')
      .description('print events as they commit (gap-safe, in global order) until interrupted')
      .option('--type <types...>', 'only these event types')
      .option('--from <start|now>', "'now' (default): events committed from here on; 'start': every stored event first", 'now')
      .option('--json', 'one JSON object per line')
      .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)'),
  ).action(async (flags: TailFlags) => {
    if (flags.from !== 'start' && flags.from !== 'now') {
      console.error(`esgen: --from must be 'start' or 'now', got ${JSON.stringify(flags.from)}`);
      process.exitCode = 1;
      return;
    }
    await withRegistry(flags, async ({ runtime, target, client }, registry) => {
      for (const type of flags.type ?? []) {
        if (!(type in registry.events)) throw new CliInputError(`unknown event type ${JSON.stringify(type)}${hint(type, Object.keys(registry.events))}`);
      }
      const follower = await runtime.followEvents(
        { client, registry, ...schemaOf(target), from: flags.from as 'start' | 'now', ...(flags.type ? { eventTypes: flags.type } : {}), onError: (error) => console.error(`esgen: ${describeDatabaseFailure(runtime, target, error)} (retrying)`) },
        (event) => {
          process.stdout.write(flags.json ? `${JSON.stringify(envelopeToJson(event))}\n` : `${formatTailLine(event)}\n`);
        },
      );
      // A line on stderr says when following began, so scripts (and tests) know nothing before it is missed.
      console.error(`esgen: following events on ${target.description} (Ctrl-C to stop)`);
      const stop = () => void follower.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await follower.done;
    });
  });
}

/** The session of both forms: the registry is loaded before anything connects. */
function withRegistry(flags: DatabaseFlags & { readonly registry?: string }, work: (session: DatabaseSession, registry: Registry) => Promise<void>): Promise<void> {
  return withDatabase(flags, (_runtime, target) => loadTargetRegistry(flags.registry, target), work);
}

function schemaOf(target: DatabaseTarget): { schema?: string } {
  return target.schema === undefined ? {} : { schema: target.schema };
}

function aggregateTypeIn(registry: Registry, name: string): string {
  const types = Object.keys(registry.aggregates);
  if (types.includes(name)) return name;
  const folded = types.find((type) => type.toLowerCase() === name.toLowerCase());
  if (folded !== undefined) return folded;
  throw new CliInputError(`unknown aggregate type ${JSON.stringify(name)}${hint(name, types)}; the registry has ${types.join(', ') || 'none'}`);
}

function hint(word: string, candidates: readonly string[]): string {
  const close = closestMatch(word, candidates);
  return close === undefined ? '' : ` (did you mean ${close}?)`;
}

function parseTime(text: string): Date {
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) throw new CliInputError(`--at must be an ISO 8601 time such as 2026-11-30T12:00:00Z, got ${JSON.stringify(text)}`);
  return at;
}

function parseVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1) throw new CliInputError(`--version must be a positive integer, got ${JSON.stringify(text)}`);
  return version;
}
