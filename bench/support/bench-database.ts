import pg from 'pg';

export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  /** URL of the fresh database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the server for one bench area (`esgen_bench_<area>_<pid>`), created through
 * the given URL's server and dropped at the end, so a run never sees an earlier run's tables.
 */
export async function createBenchDatabase(
  area: string,
  serverUrl = DEFAULT_SERVER_URL,
  settings: { readonly synchronousCommit?: boolean } = {},
): Promise<BenchDatabase> {
  const name = `esgen_bench_${area}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    // Applies to sessions opened afterwards: set before any bench client connects.
    if (settings.synchronousCommit === false) await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
