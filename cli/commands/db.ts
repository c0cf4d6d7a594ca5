import type { Command } from 'commander';
import { addDatabaseOptions, describeDatabaseFailure, openDatabase, resolveDatabaseTarget, type DatabaseFlags, type DatabaseTarget } from '../database-target.js';

/** `esgen db migrate` and `esgen db status`, on the database of cli/database-target.ts. */
export function register(program: Command): void {
  const db = program.command('db').description('manage the database esgen stores events in');

  addDatabaseOptions(db.command('migrate').description('create or update the event store tables (safe to run from several processes at once)')).action(
    async (flags: DatabaseFlags) => {
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

  addDatabaseOptions(db.command('status').description('list applied and pending migrations')).action(async (flags: DatabaseFlags) => {
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

type Runtime = import('../load-runtime.js').Runtime;
type SqlClient = import('../../runtime/index.js').SqlClient;

async function run(flags: DatabaseFlags, work: (client: SqlClient, target: DatabaseTarget, runtime: Runtime) => Promise<void>): Promise<void> {
  const target = await resolveDatabaseTarget(flags);
  if (target === undefined) return;
  const runtime = await (await import('../load-runtime.js')).loadRuntime();
  let client: SqlClient | undefined;
  try {
    client = await openDatabase(runtime, target);
    await work(client, target, runtime);
  } catch (caught) {
    console.error(`esgen: ${describeDatabaseFailure(runtime, target, caught)}`);
    process.exitCode = 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
