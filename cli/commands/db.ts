import type { Command } from 'commander';
import { withDatabase } from '../database-session.js';
import { addDatabaseOptions, type DatabaseFlags } from '../database-target.js';

/** `esgen db migrate`, `esgen db status` and `esgen db verify`, on the database of cli/database-target.ts. */
export function register(program: Command): void {
  const db = program.command('db').description('manage the database esgen stores events in');

  addDatabaseOptions(db.command('migrate').description('create or update the event store tables (safe to run from several processes at once)')).action(
    async (flags: DatabaseFlags) => {
      await withDatabase(flags, async ({ client, target, runtime }) => {
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

  addDatabaseOptions(db.command('verify').description('check that this code (its generated registry) can serve the database: run before switching traffic to a release'))
    .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)')
    .option('--format <format>', 'table or json', 'table')
    .option('--strict', 'also fail on pending migrations and read models due a rebuild (for migrate: false / onShapeChange: refuse)')
    .action(async (flags: DatabaseFlags & { registry?: string; format: string; strict?: boolean }) => {
      if (flags.format !== 'table' && flags.format !== 'json') {
        console.error(`esgen: unknown format \`${flags.format}\`; use table or json`);
        process.exitCode = 1;
        return;
      }
      const { loadTargetRegistry } = await import('../load-registry.js');
      await withDatabase(
        flags,
        // The registry first: a project mistake is reported before anything connects.
        (_runtime, target) => loadTargetRegistry(flags.registry, target),
        async ({ client, target, runtime }, registry) => {
          const result = await runtime.verifyDatabase(client, registry, { ...(target.schema === undefined ? {} : { schema: target.schema }), strict: flags.strict === true });
          if (flags.format === 'json') console.log(JSON.stringify(result, null, 2));
          else printVerification(result, target.description);
          process.exitCode = result.ok ? 0 : 1;
        },
      );
    });

  addDatabaseOptions(db.command('status').description('list applied and pending migrations')).action(async (flags: DatabaseFlags) => {
    await withDatabase(flags, async ({ client, target, runtime }) => {
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

type Runtime = import('../load-runtime.js').Runtime;

type DatabaseVerification = Awaited<ReturnType<Runtime['verifyDatabase']>>;

/** The verification as tables, then the problems and warnings, then the verdict. */
function printVerification(result: DatabaseVerification, description: string): void {
  console.log(`schema ${result.schema} on ${description}`);
  const { migrations } = result;
  console.log(`migrations: ${migrations.applied} applied, ${migrations.pending.length} pending, ${migrations.changed.length} changed, ${migrations.unknown.length} unknown to this code`);
  if (!result.initialised) console.log('no esgen tables yet (an empty database: `esgen db migrate` or the application creates them)');
  if (result.events.length > 0) {
    console.log('\nevents:');
    table(['TYPE', 'VERSION', 'COUNT', 'STATUS'], result.events.map((entry) => [entry.type, `v${entry.version}`, String(entry.count), entry.status]));
  }
  if (result.readModels.length > 0) {
    console.log('\nread models:');
    table(['PROJECTION', 'MODE', 'ROWS', 'STATE'], result.readModels.map((entry) => [entry.projection, entry.mode, String(entry.rows), entry.rebuildDue ? 'rebuild due' : 'current']));
  }
  for (const problem of result.problems) console.error(`problem: ${problem}`);
  for (const warning of result.warnings) console.log(`warning: ${warning}`);
  if (result.ok) console.log('\nok: this code can serve this database');
  else if (result.problems.length > 0) console.log('\nNOT OK: this code cannot serve this database (see the problems above)');
  else console.log('\nNOT OK (--strict): the warnings above must be dealt with before this code serves the database');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => '  ' + cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
