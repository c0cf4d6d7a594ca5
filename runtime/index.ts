// Public entry of `esgen/runtime`: what generated code and applications import.
export * from './contracts.js';
export { AggregateRoot } from './aggregate-root.js';
export type { QueryResult, SqlClient, SqlExecutor } from './sql-client.js';
export { createPgClient, type PgClientOptions } from './pg-client.js';
export { createPgliteClient, type PgliteClientOptions } from './pglite-client.js';
export { connect, type ConnectOptions } from './connect.js';
