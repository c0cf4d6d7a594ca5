import { createPgClient } from './pg-client.js';
import type { PgPoolOptions } from './pg-pool-options.js';
import { createPgliteClient } from './pglite-client.js';
import type { SqlClient } from './sql-client.js';

export interface ConnectOptions {
  /** postgres://… connects to a server through `pg`; absent = embedded PGlite. */
  readonly databaseUrl?: string;
  /** PGlite data directory; absent = in memory. Ignored with databaseUrl. */
  readonly dataDir?: string;
  /** Size and timeouts of the server pool (see PgPoolOptions for the defaults). Ignored on PGlite. */
  readonly pool?: PgPoolOptions;
  /** Named prepared statements (default true); see PgClientOptions.preparedStatements. Ignored on PGlite. */
  readonly preparedStatements?: boolean;
}

/** Connects to a server when a URL is given, else opens embedded PGlite. */
export function connect(options: ConnectOptions = {}): Promise<SqlClient> {
  if (options.databaseUrl) {
    return createPgClient({
      connectionString: options.databaseUrl,
      ...(options.pool === undefined ? {} : { poolOptions: options.pool }),
      ...(options.preparedStatements === undefined ? {} : { preparedStatements: options.preparedStatements }),
    });
  }
  return createPgliteClient(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
}
