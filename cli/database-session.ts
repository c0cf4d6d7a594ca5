/**
 * What every database command does around its work: resolve the target, load the runtime, do what
 * must come before connecting (the registry, a master key: a project mistake is reported before
 * anything connects), open the database, run the work, report a failure in one line with exit code
 * 1 (a CliInputError as it is, anything else through describeDatabaseFailure), and always close.
 */
import { describeDatabaseFailure, openDatabase, resolveDatabaseTarget, type DatabaseFlags, type DatabaseTarget } from './database-target.js';
import { CliInputError } from './load-registry.js';

type Runtime = import('./load-runtime.js').Runtime;
type SqlClient = import('../runtime/index.js').SqlClient;

export interface DatabaseSession {
  readonly runtime: Runtime;
  readonly target: DatabaseTarget;
  readonly client: SqlClient;
}

export function withDatabase(flags: DatabaseFlags, work: (session: DatabaseSession) => Promise<void>): Promise<void>;
export function withDatabase<T>(
  flags: DatabaseFlags,
  prepare: (runtime: Runtime, target: DatabaseTarget) => Promise<T>,
  work: (session: DatabaseSession, prepared: T) => Promise<void>,
): Promise<void>;
export async function withDatabase(
  flags: DatabaseFlags,
  first: (...args: never[]) => Promise<unknown>,
  second?: (session: DatabaseSession, prepared: unknown) => Promise<void>,
): Promise<void> {
  const prepare = second ? (first as (runtime: Runtime, target: DatabaseTarget) => Promise<unknown>) : undefined;
  const work = second ?? (first as (session: DatabaseSession, prepared: unknown) => Promise<void>);
  const target = await resolveDatabaseTarget(flags);
  if (target === undefined) return;
  const runtime = await (await import('./load-runtime.js')).loadRuntime();
  let client: SqlClient | undefined;
  try {
    const prepared = prepare ? await prepare(runtime, target) : undefined;
    client = await openDatabase(runtime, target);
    await work({ runtime, target, client }, prepared);
  } catch (caught) {
    console.error(`esgen: ${caught instanceof CliInputError ? caught.message : describeDatabaseFailure(runtime, target, caught)}`);
    process.exitCode = 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
