import type { Command } from 'commander';
import { addProjectOptions, resolveCliContext, type ProjectFlags } from '../context.js';
import { databaseUrlProblem, describeDatabaseUrl } from '../database-url.js';

interface DbFlags extends ProjectFlags {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly schema?: string;
}

/** Where `esgen db …` connects, resolved once from flags, the config file and the environment. */
interface DatabaseTarget {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly schema?: string;
  /** For messages: the server without its password, or the PGlite folder. */
  readonly description: string;
}

/**
 * `esgen db migrate` and `esgen db status`. Precedence: --database-url, then the config's
 * `database.url`, then DATABASE_URL; without any URL, embedded PGlite in --data-dir or the
 * config's `database.dataDir` (default .esgen/pgdata). --schema overrides `database.schema`.
 */
export function register(program: Command): void {
  const db = program.command('db').description('manage the database esgen stores events in');
  const withDatabaseOptions = (command: Command) =>
    addProjectOptions(command)
      .option('--database-url <url>', 'PostgreSQL server to use (default: config database.url, then DATABASE_URL)')
      .option('--data-dir <dir>', 'PGlite data folder when no URL is given (default: config database.dataDir)')
      .option('--schema <name>', 'schema holding esgen tables (default: config database.schema, then public)');

  withDatabaseOptions(db.command('migrate').description('create or update the event store tables (safe to run from several processes at once)')).action(
    async (flags: DbFlags) => {
      await run(flags, async (client, target, runtime) => {
        const result = await runtime.migrate(client, target.schema === undefined ? {} : { schema: target.schema });
        if (result.applied.length === 0) {
          console.log(`esgen: schema ${result.schema} on ${target.description} is up to date`);
        } else {
          const names = result.applied.map((m) => `${String(m.version).padStart(4, '0')}-${m.name}`).join(', ');
          const count = `${result.applied.length} migration${result.applied.length === 1 ? '' : 's'}`;
          console.log(`esgen: applied ${count} to schema ${result.schema} on ${target.description}: ${names}`);
        }
      });
    },
  );

  withDatabaseOptions(db.command('status').description('list applied and pending migrations')).action(async (flags: DbFlags) => {
    await run(flags, async (client, target, runtime) => {
      const status = await runtime.migrationStatus(client, target.schema === undefined ? {} : { schema: target.schema });
      console.log(`schema ${target.schema ?? 'public'} on ${target.description}`);
      for (const entry of status) {
        const when = entry.appliedAt === null ? '' : `  ${entry.appliedAt.toISOString()}`;
        console.log(`  ${String(entry.version).padStart(4, '0')}-${entry.name}  ${entry.state}${when}`);
      }
      const pending = status.filter((s) => s.state === 'pending').length;
      const changed = status.filter((s) => s.state === 'changed').length;
      if (changed > 0) console.error(`esgen: ${changed} applied migration(s) were changed since they ran; add new migrations instead of editing released ones`);
      else if (pending > 0) console.log(`${pending} pending: run \`esgen db migrate\``);
      process.exitCode = changed > 0 ? 1 : 0;
    });
  });
}

type Runtime = typeof import('../../runtime/index.js');
type SqlClient = import('../../runtime/index.js').SqlClient;

async function run(flags: DbFlags, work: (client: SqlClient, target: DatabaseTarget, runtime: Runtime) => Promise<void>): Promise<void> {
  const target = await resolveTarget(flags);
  if (target === undefined) return;
  const runtime = await import('../../runtime/index.js');
  let client: SqlClient | undefined;
  try {
    runtime.resolveSchema(target.schema); // a bad name fails before anything is created
    if (target.dataDir !== undefined) {
      // PGlite creates the data folder itself but not its parents (.esgen/).
      const { mkdir } = await import('node:fs/promises');
      await mkdir(target.dataDir, { recursive: true });
    }
    client = await runtime.connect({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    await work(client, target, runtime);
  } catch (caught) {
    // Expected failures (bad schema name, edited migration, unreachable server, a PGlite folder in use) are one line.
    const { explainPgliteOpenFailure } = await import('../../runtime/event-sourcing.js');
    const error = target.dataDir === undefined ? caught : explainPgliteOpenFailure(caught, target.dataDir);
    const message = error instanceof Error ? error.message : String(error);
    if (runtime.isEsgenError(error)) console.error(`esgen: ${error.code} ${message}`);
    else if (error !== caught) console.error(`esgen: ${message}`);
    else console.error(`esgen: database error on ${target.description}: ${message}`);
    process.exitCode = 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

async function resolveTarget(flags: DbFlags): Promise<DatabaseTarget | undefined> {
  const context = resolveCliContext(flags);
  // The config loader and the formatter alone: the rest of the generator (ts-morph, prettier) is not needed.
  const { loadConfig } = await import('../../generator/config/load-config.js');
  const { formatDiagnostics } = await import('../../generator/diagnostics/format-diagnostics.js');
  const loaded = await loadConfig({ cwd: context.cwd, configPath: context.configPath, env: context.env });
  let config: { url?: string; dataDir?: string; schema?: string } = {};
  if (loaded.ok) config = loaded.config.database;
  else if (!(loaded.diagnostics.length === 1 && loaded.diagnostics[0]?.code === 'ESG001' && flags.config === undefined)) {
    // A missing default config is fine (flags and DATABASE_URL suffice); a broken one is not.
    const sources = new Map(loaded.text === undefined ? [] : [[loaded.displayPath, loaded.text]]);
    process.stderr.write(formatDiagnostics(loaded.diagnostics, { color: context.color.stderr, sources }));
    process.exitCode = 1;
    return undefined;
  }
  const { resolve } = await import('node:path');
  const databaseUrl = flags.databaseUrl ?? config.url ?? context.env.DATABASE_URL;
  const schema = flags.schema ?? config.schema;
  if (databaseUrl) {
    const problem = databaseUrlProblem(databaseUrl, flags.databaseUrl ? '--database-url' : config.url ? 'database.url in the config' : 'DATABASE_URL');
    if (problem !== undefined) {
      console.error(`esgen: ${problem}`);
      process.exitCode = 1;
      return undefined;
    }
    return { databaseUrl, schema, description: describeDatabaseUrl(databaseUrl) };
  }
  const dataDir = flags.dataDir ? resolve(context.cwd, flags.dataDir) : (config.dataDir ?? resolve(context.cwd, '.esgen/pgdata'));
  return { dataDir, schema, description: `PGlite ${dataDir}` };
}
