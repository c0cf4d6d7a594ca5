import type { Command } from 'commander';
import { withDatabase } from '../database-session.js';
import { addDatabaseOptions, type DatabaseFlags } from '../database-target.js';
import { CliInputError, loadTargetRegistry } from '../load-registry.js';

/**
 * `esgen projections status|run|rebuild|retry|skip`: operate the read models of a project.
 *
 * They need the project's registry (generated `registry.ts`): `--registry <module>`, default
 * `<config output>/registry.ts`. A `.js`/`.mjs` module (compiled code) is imported as is; a `.ts`
 * module is loaded through tsx's loader API when tsx is installed in the project. The database is
 * resolved as for `esgen db` (cli/database-target.ts).
 */
interface ProjectionFlags extends DatabaseFlags {
  readonly registry?: string;
  readonly masterKeyEnv?: string;
}

interface RunFlags extends ProjectionFlags {
  readonly batchSize?: string;
  readonly leaseSeconds?: string;
  readonly pollInterval?: string;
  readonly lock?: string;
  readonly workerId?: string;
  readonly only?: string;
  readonly onShapeChange?: string;
}

type Runtime = import('../load-runtime.js').Runtime;
type SqlClient = import('../../runtime/index.js').SqlClient;
type Registry = import('../../runtime/index.js').Registry;

interface Session {
  readonly runtime: Runtime;
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema: string | undefined;
  readonly description: string;
  readonly color: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Opens personal values when the master key's variable is set (docs/personal-data.md); else reading one fails with ESG251. */
  readonly personalData: { personalData?: import('../../runtime/admin.js').PersonalDataVault };
}

export function register(program: Command): void {
  const projections = program.command('projections').description('run, inspect and rebuild read models');
  const withOptions = (command: Command) =>
    addDatabaseOptions(command)
      .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)')
      .option('--master-key-env <name>', 'environment variable holding the master key of personal data', 'ESGEN_MASTER_KEY');

  withOptions(projections.command('status').description('position, head, lag, owner and last error of every read model and subscription'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: ProjectionFlags & { format: string }) => {
      if (flags.format !== 'table' && flags.format !== 'json') {
        console.error(`esgen: unknown format \`${flags.format}\`; use table or json`);
        process.exitCode = 1;
        return;
      }
      await withSession(flags, async (session) => {
        const statuses = await session.runtime.projectionStatus(session.client, session.registry, optionalSchema(session));
        if (flags.format === 'json') {
          console.log(JSON.stringify(statuses, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
        } else {
          printStatusTable(statuses);
        }
        // Monitoring-friendly: a projection stopped on a failing event makes the command fail.
        process.exitCode = statuses.some((status) => status.state === 'failed') ? 1 : 0;
      });
    });

  withOptions(projections.command('run').description('run a projection worker in the foreground (Ctrl-C stops it cleanly)'))
    .option('--batch-size <n>', 'events per batch', '500')
    .option('--lease-seconds <n>', 'lease length; a dead worker is replaced within about this long', '15')
    .option('--poll-interval <ms>', 'polling fallback when no notification arrives', '1000')
    .option('--lock <mode>', 'batch fencing: row-lock or advisory-xact (both work behind PgBouncer)', 'row-lock')
    .option('--worker-id <id>', 'unique worker name (default: host:pid:random)')
    .option('--only <names>', 'comma-separated projections to run (default: every async read model)')
    .option('--on-shape-change <policy>', 'rows built by another mapping or mode: rebuild them first, or refuse to start', 'rebuild')
    .action(async (flags: RunFlags) => {
      await withSession(flags, async (session) => {
        const { runtime, client, registry } = session;
        const lock = flags.lock === 'advisory-xact' ? 'advisory-xact' : flags.lock === 'row-lock' ? 'row-lock' : undefined;
        if (lock === undefined) throw new CliInputError(`--lock must be row-lock or advisory-xact, got ${flags.lock}`);
        const onShapeChange = flags.onShapeChange === 'rebuild' || flags.onShapeChange === 'refuse' ? flags.onShapeChange : undefined;
        if (onShapeChange === undefined) throw new CliInputError(`--on-shape-change must be rebuild or refuse, got ${flags.onShapeChange}`);
        await runtime.migrate(client, optionalSchema(session));
        await runtime.ensureReadModelIndexes(client, registry, session.schema);
        const manager = runtime.createReadModelManager({
          client,
          registry,
          ...session.personalData,
          ...optionalSchema(session),
          ...(flags.workerId ? { workerId: flags.workerId } : {}),
          ...(flags.only ? { projections: flags.only.split(',').map((name) => name.trim()) } : {}),
          batchSize: positiveInteger('--batch-size', flags.batchSize),
          leaseSeconds: positiveInteger('--lease-seconds', flags.leaseSeconds),
          pollIntervalMs: positiveInteger('--poll-interval', flags.pollInterval),
          lock,
          onShapeChange,
          onShapeRebuild: (stale, action) =>
            console.log(
              action === 'rebuilding'
                ? `${stale.projection}: rows built by another mapping or mode (${stale.storedFingerprint}): rebuilding before processing`
                : `${stale.projection}: another process is rebuilding it; waiting for its switch`,
            ),
          onBatch: ({ projection, outcome }) => {
            if (outcome.kind === 'processed') console.log(`${projection}: ${outcome.events} events, now at ${outcome.checkpoint.position}`);
            else if (outcome.kind === 'failed') console.error(`${projection}: stopped: ${outcome.error.message}`);
            else if (outcome.kind === 'fenced') console.log(`${projection}: lease taken over by another worker`);
          },
          // Connection loss and recovery get their own log lines (the manager's logger, console).
          onError: (error) => {
            if (!runtime.isConnectionFault(error)) console.error(`esgen: worker error (retrying): ${error instanceof Error ? error.message : String(error)}`);
          },
        });
        await manager.start();
        console.log(`esgen: worker ${manager.workerId} running on ${session.description}; holding ${manager.held().join(', ') || 'no projections yet'}`);
        // Clean shutdown: finish the running batches, release the leases, then exit.
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            console.log(`esgen: ${signal}: finishing the running batches and releasing leases`);
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            resolve();
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
        await manager.stop();
        console.log('esgen: worker stopped');
      });
    });

  withOptions(projections.command('rebuild <name>').description('rebuild a read model from all events without downtime (blue/green)'))
    .option('--batch-size <n>', 'events per batch', '1000')
    .option('--until <position>', 'reset to the state at this global position instead of the head')
    .option('--lease-seconds <n>', 'lease on the rebuild; a killed rebuild shows as stale and can be restarted after about this long', '30')
    .action(async (name: string, flags: ProjectionFlags & { batchSize?: string; until?: string; leaseSeconds?: string }) => {
      await withSession(flags, async (session) => {
        const { runtime, client, registry } = session;
        await runtime.migrate(client, optionalSchema(session));
        await runtime.ensureReadModelIndexes(client, registry, session.schema);
        const replayer = runtime.createEventReplayer({
          client,
          registry,
          ...session.personalData,
          ...optionalSchema(session),
          batchSize: positiveInteger('--batch-size', flags.batchSize),
          leaseSeconds: positiveInteger('--lease-seconds', flags.leaseSeconds),
        });
        const progress = progressPrinter(name, Boolean(process.stdout.isTTY) && !session.env.CI);
        const result = await replayer.rebuild(name, {
          onProgress: progress.update,
          ...(flags.until === undefined ? {} : { until: bigintFlag('--until', flags.until) }),
        });
        progress.finish();
        console.log(`esgen: rebuilt ${result.projection}: ${result.processed} events in ${(result.elapsedMs / 1000).toFixed(1)} s, now at position ${result.checkpoint.position}`);
      });
    });

  withOptions(projections.command('retry <name>').description('retry a projection stopped on a failing event now')).action(
    async (name: string, flags: ProjectionFlags) => {
      await withSession(flags, async (session) => {
        await session.runtime.retryProjection(session.client, session.registry, name, optionalSchema(session));
        console.log(`esgen: ${name} will retry its failing event on the next worker cycle`);
      });
    },
  );

  withOptions(projections.command('skip <name>').description('pass over exactly the event a projection stopped on'))
    .option('--position <n>', 'only if the failing event is at this global position')
    .action(async (name: string, flags: ProjectionFlags & { position?: string }) => {
      await withSession(flags, async (session) => {
        const skipped = await session.runtime.skipFailedEvent(session.client, session.registry, name, {
          ...optionalSchema(session),
          ...(flags.position === undefined ? {} : { position: bigintFlag('--position', flags.position) }),
        });
        console.log(`esgen: ${name} skipped ${skipped.eventType ?? 'the event'} at position ${skipped.position}`);
      });
    });
}

function optionalSchema(session: Session): { schema?: string } {
  return session.schema === undefined ? {} : { schema: session.schema };
}

function positiveInteger(flag: string, value: string | undefined): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new CliInputError(`${flag} must be a positive integer, got ${value}`);
  return parsed;
}

function bigintFlag(flag: string, value: string): bigint {
  if (!/^\d+$/.test(value)) throw new CliInputError(`${flag} must be a global position (a whole number), got ${value}`);
  return BigInt(value);
}

function withSession(flags: ProjectionFlags, work: (session: Session) => Promise<void>): Promise<void> {
  return withDatabase(
    flags,
    // The registry first: a project mistake is reported before anything connects.
    (_runtime, target) => loadTargetRegistry(flags.registry, target),
    async ({ runtime, client, target }, registry) => {
      const { schema, description, context } = target;
      const masterKey = context.env[flags.masterKeyEnv ?? 'ESGEN_MASTER_KEY'];
      const personalData = masterKey ? { personalData: await runtime.PersonalDataVault.forSchema(client, { ...(schema === undefined ? {} : { schema }), masterKey: () => masterKey }) } : {};
      await work({ runtime, client, registry, schema, description, color: context.color.stdout, env: context.env, personalData });
    },
  );
}

type ProjectionStatus = Awaited<ReturnType<Runtime['projectionStatus']>>[number];

function printStatusTable(statuses: readonly ProjectionStatus[]): void {
  const rows = statuses.map((status) => [
    status.name,
    status.kind === 'subscription' ? 'subscription' : (status.mode ?? ''),
    status.rebuild
      ? status.rebuild.stale
        ? `rebuild stale at ${status.rebuild.processed}/${status.rebuild.total} (its process is gone; run rebuild again)`
        : `rebuilding ${status.rebuild.processed}/${status.rebuild.total}`
      : status.rebuildDue
        ? `${status.state} (rebuild due: ${status.rebuildReason}; the next start rebuilds it before serving, or refuses with onShapeChange: 'refuse')`
        : status.state,
    status.position === null ? '-' : String(status.position),
    String(status.head),
    status.position === null ? '-' : String(status.lagEvents),
    status.position === null ? '-' : status.lagSeconds.toFixed(1),
    status.owner ?? '-',
    status.lastError ? `at ${status.lastError.position} (${status.lastError.eventType}): ${status.lastError.message}` : '',
  ]);
  const header = ['PROJECTION', 'MODE', 'STATE', 'POSITION', 'HEAD', 'LAG', 'LAG S', 'OWNER', 'LAST ERROR'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  if (rows.length === 0) console.log('(no read models in the registry)');
}

type RebuildProgress = import('../../runtime/index.js').RebuildProgress;

/** A progress bar with events/s and ETA on a terminal; one plain line per second otherwise (CI). */
function progressPrinter(name: string, tty: boolean): { update: (progress: RebuildProgress) => void; finish: () => void } {
  let lastPrinted = 0;
  let drawn = false;
  return {
    update(progress) {
      const fraction = progress.total === 0 ? 1 : Math.min(1, progress.processed / progress.total);
      const rate = progress.eventsPerSecond;
      const eta = rate > 0 ? Math.max(0, (progress.total - progress.processed) / rate) : undefined;
      const text = `${progress.processed}/${progress.total} events (${Math.floor(fraction * 100)}%), ${rate} events/s${eta === undefined ? '' : `, ETA ${eta.toFixed(0)} s`}`;
      if (tty) {
        const width = 30;
        const filled = Math.round(fraction * width);
        process.stdout.write(`\r${name} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text} ${progress.phase === 'switching' ? 'switching…' : ''}\x1b[K`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (progress.phase === 'building' && now - lastPrinted < 1000 && progress.processed < progress.total) return;
      lastPrinted = now;
      console.log(`rebuild ${name}: ${progress.phase} ${text}`);
    },
    finish() {
      if (drawn) process.stdout.write('\n');
    },
  };
}
