/**
 * Where `esgen db …` and `esgen projections …` connect, resolved once from flags, the config file
 * and the environment. Precedence: --database-url, then the config's `database.url`, then
 * DATABASE_URL; without any URL, embedded PGlite in --data-dir or the config's `database.dataDir`
 * (default .esgen/pgdata). --schema overrides `database.schema`.
 */
import type { Command } from 'commander';
import { addProjectOptions, resolveCliContext, type CliContext, type ProjectFlags } from './context.js';
import { databaseUrlProblem, describeDatabaseUrl } from './database-url.js';

export interface DatabaseFlags extends ProjectFlags {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly schema?: string;
}

export interface DatabaseTarget {
  readonly context: CliContext;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly schema?: string;
  /** For messages: the server without its password, or the PGlite folder. */
  readonly description: string;
  /** The config's generated-code folder (where the registry lives). */
  readonly output: string;
  /** The config's source folder (where the user's aggregate classes live). */
  readonly source: string;
}

type Runtime = import('./load-runtime.js').Runtime;
type SqlClient = import('../runtime/index.js').SqlClient;

/** --cwd, --config, --no-color and the three database flags. */
export function addDatabaseOptions(command: Command): Command {
  return addProjectOptions(command)
    .option('--database-url <url>', 'PostgreSQL server to use (default: config database.url, then DATABASE_URL)')
    .option('--data-dir <dir>', 'PGlite data folder when no URL is given (default: config database.dataDir)')
    .option('--schema <name>', 'schema holding esgen tables (default: config database.schema, then public)');
}

/** The target, or undefined after printing why there is none (exit code 1 set). */
export async function resolveDatabaseTarget(flags: DatabaseFlags): Promise<DatabaseTarget | undefined> {
  const context = resolveCliContext(flags);
  // The config loader and the formatter alone: the rest of the generator (ts-morph, prettier) is not needed.
  const { loadConfig } = await import('../generator/config/load-config.js');
  const { resolve } = await import('node:path');
  const loaded = await loadConfig({ cwd: context.cwd, configPath: context.configPath, env: context.env });
  let database: { url?: string; dataDir?: string; schema?: string } = {};
  let output = resolve(context.cwd, 'src/generated');
  let source = resolve(context.cwd, 'src/domain');
  if (loaded.ok) {
    database = loaded.config.database;
    output = loaded.config.output;
    source = loaded.config.source;
  } else if (!(loaded.diagnostics.length === 1 && loaded.diagnostics[0]?.code === 'ESG001' && flags.config === undefined)) {
    // A missing default config is fine (flags and DATABASE_URL suffice); a broken one is not.
    const { formatDiagnostics } = await import('../generator/diagnostics/format-diagnostics.js');
    const sources = new Map(loaded.text === undefined ? [] : [[loaded.displayPath, loaded.text]]);
    process.stderr.write(formatDiagnostics(loaded.diagnostics, { color: context.color.stderr, sources }));
    process.exitCode = 1;
    return undefined;
  }
  const schema = flags.schema ?? database.schema;
  const databaseUrl = flags.databaseUrl ?? database.url ?? context.env.DATABASE_URL;
  if (databaseUrl) {
    const problem = databaseUrlProblem(databaseUrl, flags.databaseUrl ? '--database-url' : database.url ? 'database.url in the config' : 'DATABASE_URL');
    if (problem !== undefined) {
      console.error(`esgen: ${problem}`);
      process.exitCode = 1;
      return undefined;
    }
    return { context, databaseUrl, schema, description: describeDatabaseUrl(databaseUrl), output, source };
  }
  const dataDir = flags.dataDir ? resolve(context.cwd, flags.dataDir) : (database.dataDir ?? resolve(context.cwd, '.esgen/pgdata'));
  return { context, dataDir, schema, description: `PGlite ${dataDir}`, output, source };
}

/** Connects; a bad schema name fails before anything is created. */
export async function openDatabase(runtime: Runtime, target: DatabaseTarget): Promise<SqlClient> {
  if (target.schema !== undefined) runtime.resolveSchema(target.schema);
  return runtime.connect({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
}

/** One line for an expected failure (bad name, edited migration, unreachable server, PGlite folder in use, missing tables). */
export function describeDatabaseFailure(runtime: Runtime, target: DatabaseTarget, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // A connection fault names the server it could not use (the URL with its password masked).
  if (runtime.isConnectionFault(error) || runtime.isEsgenError(error, 'ESG215')) return `${error.code} database error on ${target.description}: ${message}`;
  if (runtime.isEsgenError(error)) return `${error.code} ${message}`;
  if ((error as { code?: unknown }).code === '42P01') {
    // undefined_table: the schema was never migrated.
    return `the esgen tables are missing on ${target.description}${target.schema ? ` (schema ${target.schema})` : ''}: run \`esgen db migrate\` first (${message})`;
  }
  return `database error on ${target.description}: ${message}`;
}
