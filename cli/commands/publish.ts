import type { Command } from 'commander';
import { withDatabase } from '../database-session.js';
import { addDatabaseOptions, type DatabaseFlags, type DatabaseTarget } from '../database-target.js';
import { CliInputError, loadTargetRegistry } from '../load-registry.js';

/**
 * `esgen publish run|status|pause|resume|retry|skip`: operate the publishers that forward events
 * to NATS JetStream (docs/message-bus.md). `run` takes its settings from the config's
 * `publishers:` section and needs the generated registry; the others need only the database.
 */
interface PublishFlags extends DatabaseFlags {
  readonly registry?: string;
}

type Runtime = import('../load-runtime.js').Runtime;
type SqlClient = import('../../runtime/index.js').SqlClient;

interface Session {
  readonly runtime: Runtime;
  readonly client: SqlClient;
  readonly target: DatabaseTarget;
  readonly scope: { schema?: string };
}

export function register(program: Command): void {
  const publish = program.command('publish').description('forward committed events to NATS JetStream, and operate the publishers');
  const withOptions = (command: Command) => addDatabaseOptions(command);

  withOptions(publish.command('run [names...]').description('run publishers of the config in the foreground (Ctrl-C stops them cleanly)'))
    .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)')
    .option('--servers <urls>', 'comma-separated NATS servers (default: the config, then NATS_URL, then 127.0.0.1:4222)')
    .option('--worker-id <id>', 'unique worker name (default: host:pid:random)')
    .action(async (names: string[], flags: PublishFlags & { servers?: string; workerId?: string }) => {
      await withSession(flags, async ({ runtime, client, target, scope }) => {
        const { loadConfig } = await import('../../generator/config/load-config.js');
        const loaded = await loadConfig({ cwd: target.context.cwd, configPath: target.context.configPath, env: target.context.env });
        const configured = loaded.ok ? loaded.config.publishers : {};
        const selected = names.length > 0 ? names : Object.keys(configured);
        if (selected.length === 0) throw new CliInputError('no publishers to run: add a `publishers:` section to esgen.config.yaml (see docs/message-bus.md)');
        const unknown = selected.filter((name) => configured[name] === undefined);
        if (unknown.length > 0) {
          throw new CliInputError(
            `no publisher named ${unknown.join(', ')} in the config${Object.keys(configured).length > 0 ? ` (configured: ${Object.keys(configured).join(', ')})` : ''}`,
          );
        }
        const registry = await loadTargetRegistry(flags.registry, target);
        await runtime.migrate(client, scope);
        const servers = flags.servers?.split(',').map((server) => server.trim()) ?? target.context.env.NATS_URL;
        const publishers = selected.map((name) => {
          const settings = configured[name]!;
          return runtime.createNatsPublisher(
            { client, registry, ...scope },
            {
              ...settings,
              name,
              ...(servers === undefined || (settings.servers !== undefined && flags.servers === undefined) ? {} : { servers }),
              ...(flags.workerId ? { workerId: flags.workerId } : {}),
              onBatch: (report) => {
                if (report.kind === 'published')
                  console.log(
                    `${name}: ${report.events} events published${report.duplicates > 0 ? ` (${report.duplicates} already in the stream)` : ''}, now at ${report.checkpoint.position}`,
                  );
                else console.error(`${name}: stopped: ${report.error.message}`);
              },
              onError: (error) => {
                if (!runtime.isEsgenError(error, 'ESG230'))
                  console.error(`esgen: ${name}: ${error instanceof Error ? error.message : String(error)} (retrying)`);
              },
            },
          );
        });
        for (const publisher of publishers) await publisher.start();
        console.log(`esgen: publishing ${selected.join(', ')} from ${target.description} as ${publishers[0]!.workerId}`);
        await new Promise<void>((done) => {
          const stop = (signal: string) => {
            console.log(`esgen: ${signal}: finishing the running batches`);
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            done();
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
        await Promise.all(publishers.map((publisher) => publisher.stop()));
        console.log('esgen: publishers stopped');
      });
    });

  withOptions(publish.command('status').description('position, lag, state, last error and workers of every publisher'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: PublishFlags & { format: string }) => {
      if (flags.format !== 'table' && flags.format !== 'json') {
        console.error(`esgen: unknown format \`${flags.format}\`; use table or json`);
        process.exitCode = 1;
        return;
      }
      await withSession(flags, async ({ runtime, client, scope }) => {
        const statuses = await runtime.publisherStatus(client, scope);
        if (flags.format === 'json') console.log(JSON.stringify(statuses, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
        else printStatus(statuses);
        // Monitoring-friendly: a publisher stopped on a poison event makes the command fail.
        process.exitCode = statuses.some((status) => status.state === 'failed') ? 1 : 0;
      });
    });

  for (const [command, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    withOptions(
      publish.command(`${command} <name>`).description(paused ? 'stop sending after the running batch (kept across restarts)' : 'send again after a pause'),
    ).action(async (name: string, flags: PublishFlags) => {
      await withSession(flags, async ({ runtime, client, scope }) => {
        await runtime.setPublisherPaused(client, name, paused, scope);
        console.log(`esgen: ${name} ${paused ? 'paused' : 'resumed'}`);
      });
    });
  }

  withOptions(publish.command('retry <name>').description('send the event a publisher stopped on again now')).action(
    async (name: string, flags: PublishFlags) => {
      await withSession(flags, async ({ runtime, client, scope }) => {
        await runtime.retryPublisher(client, name, scope);
        console.log(`esgen: ${name} will send its failing event again on the next cycle`);
      });
    },
  );

  withOptions(publish.command('skip <name>').description('pass over exactly the event a publisher stopped on: it is never published'))
    .option('--position <n>', 'only if the failing event is at this global position')
    .action(async (name: string, flags: PublishFlags & { position?: string }) => {
      await withSession(flags, async ({ runtime, client, scope }) => {
        if (flags.position !== undefined && !/^\d+$/.test(flags.position))
          throw new CliInputError(`--position must be a global position (a whole number), got ${flags.position}`);
        const skipped = await runtime.skipPublisherEvent(client, name, {
          ...scope,
          ...(flags.position === undefined ? {} : { position: BigInt(flags.position) }),
        });
        console.log(`esgen: ${name} skipped ${skipped.eventType ?? 'the event'} at position ${skipped.position}; it will not be published`);
      });
    });
}

function withSession(flags: PublishFlags, work: (session: Session) => Promise<void>): Promise<void> {
  return withDatabase(flags, ({ runtime, client, target }) => work({ runtime, client, target, scope: target.schema === undefined ? {} : { schema: target.schema } }));
}

type PublisherStatus = Awaited<ReturnType<Runtime['publisherStatus']>>[number];

function printStatus(statuses: readonly PublisherStatus[]): void {
  if (statuses.length === 0) {
    console.log('(no publisher has run against this database yet)');
    return;
  }
  const header = ['PUBLISHER', 'STATE', 'POSITION', 'HEAD', 'LAG', 'LAG S', 'OWNER', 'LAST ERROR'];
  const rows = statuses.map((status) => [
    status.name,
    status.state,
    String(status.position),
    String(status.head),
    String(status.lagEvents),
    status.lagSeconds.toFixed(1),
    status.owner ?? '-',
    status.lastError ? `at ${status.lastError.position} (${status.lastError.eventType}): ${status.lastError.message}` : '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const status of statuses) {
    console.log(`\n${status.name} → ${status.destination ?? '?'}; events: ${status.eventTypes.join(', ')}`);
    for (const worker of status.workers) {
      const error = worker.lastError === null ? '' : `; last error ${worker.lastErrorAt?.toISOString() ?? ''}: ${worker.lastError}`;
      console.log(
        `  worker ${worker.workerId} (${worker.active ? 'publishing' : 'standing by'}): heartbeat ${worker.secondsSinceHeartbeat.toFixed(1)} s ago, ${worker.published} published${error}`,
      );
    }
    if (status.workers.length === 0) console.log('  no worker running');
  }
}
