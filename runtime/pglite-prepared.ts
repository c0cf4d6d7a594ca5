import type { PGlite } from '@electric-sql/pglite';
import type { QueryResult } from './sql-client.js';

/**
 * Named prepared statements on PGlite. PGlite's `query()` parses and plans its text on every call
 * (an unnamed statement, six protocol round trips into WebAssembly): for esgen's append that is
 * most of its time (planning 0.375 ms of 0.925). Here a statement is parsed once per name
 * (Parse + Describe), then each call is one Bind + Execute + Sync message.
 *
 * Plans stay correct across schema changes: PostgreSQL revalidates a prepared statement's plan
 * when a table, index or function it depends on changes (plancache invalidation). The one change
 * it refuses is a different result row type ("cached plan must not change result type", 0A000);
 * the statement is then prepared again (and, outside a transaction, the call retried), as it is
 * when the backend lost it (26000, e.g. after DEALLOCATE ALL).
 */
export interface PreparedStatements {
  /** Runs `sql` as the named statement `name` (parsed the first time). `inTransaction`: inside BEGIN … COMMIT. */
  run<TRow>(name: string, sql: string, params: readonly unknown[], inTransaction: boolean): Promise<QueryResult<TRow>>;
}

interface Described {
  readonly paramTypes: readonly number[];
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
}

type ParseType = typeof import('@electric-sql/pglite')['types']['parseType'];

/** SQLSTATEs after which the statement is prepared again. */
const STALE = new Set(['0A000', '26000']);
/** duplicate_prepared_statement: another client of the same PGlite prepared this name (same text). */
const ALREADY_PREPARED = '42P05';

/** `parsers`: type parsers that replace PGlite's own for these type OIDs (as query()'s `parsers` option does). */
export async function createPreparedStatements(db: PGlite, parsers: PGlite['parsers'] = {}): Promise<PreparedStatements> {
  const { protocol, types } = await import('@electric-sql/pglite');
  const serialize = protocol.serialize;
  const parseType: ParseType = types.parseType;
  const described = new Map<string, Described>();
  const rowParsers = { ...db.parsers, ...parsers };

  const describe = async (name: string, sql: string): Promise<Described> => {
    let messages;
    try {
      messages = await db.execProtocolStream(concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
    } catch (error) {
      if ((error as { code?: unknown }).code !== ALREADY_PREPARED) throw error;
      messages = await db.execProtocolStream(concat([serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
    }
    const parameters = messages.find((message) => message.name === 'parameterDescription') as { dataTypeIDs: number[] } | undefined;
    const row = messages.find((message) => message.name === 'rowDescription') as { fields: { name: string; dataTypeID: number }[] } | undefined;
    const statement: Described = {
      paramTypes: parameters?.dataTypeIDs ?? [],
      fields: row?.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID })) ?? [],
    };
    described.set(name, statement);
    return statement;
  };

  const forget = async (name: string) => {
    described.delete(name);
    await db.execProtocolStream(concat([serialize.close({ type: 'S', name }), serialize.sync()]), { syncToFs: false, throwOnError: false });
  };

  const execute = async <TRow>(name: string, sql: string, params: readonly unknown[], inTransaction: boolean): Promise<QueryResult<TRow>> => {
    const statement = described.get(name) ?? (await describe(name, sql));
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const serializer = db.serializers[statement.paramTypes[i]!];
      return serializer === undefined ? String(param) : (serializer(param) as string);
    });
    // Outside a transaction a statement commits on its own: sync the data folder as query() does.
    const messages = await db.execProtocolStream(concat([serialize.bind({ statement: name, values }), serialize.execute({}), serialize.sync()]), {
      syncToFs: !inTransaction,
    });
    return toResult<TRow>(messages, statement, rowParsers, parseType);
  };

  return {
    run<TRow>(name: string, sql: string, params: readonly unknown[], inTransaction: boolean): Promise<QueryResult<TRow>> {
      // Outside a transaction, also wait for any transaction in progress (as query() does): the
      // statement must not run inside another caller's BEGIN … COMMIT.
      const exclusive = <T>(work: () => Promise<T>) => (inTransaction ? db.runExclusive(work) : db._runExclusiveTransaction(() => db.runExclusive(work)));
      return exclusive(async () => {
        try {
          return await execute<TRow>(name, sql, params, inTransaction);
        } catch (error) {
          if (!STALE.has((error as { code?: string }).code ?? '')) throw error;
          await forget(name);
          // Inside a transaction the failed statement aborted it: the caller's rollback decides.
          if (inTransaction) throw error;
          return execute<TRow>(name, sql, params, inTransaction);
        }
      });
    },
  };
}

function toResult<TRow>(
  messages: readonly { name: string }[],
  statement: Described,
  parsers: PGlite['parsers'],
  parseType: ParseType,
): QueryResult<TRow> {
  const rows: TRow[] = [];
  let rowCount = 0;
  const { fields } = statement;
  for (const message of messages) {
    if (message.name === 'dataRow') {
      const values = (message as unknown as { fields: (string | null)[] }).fields;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) row[fields[i]!.name] = parseType(values[i] ?? null, fields[i]!.dataTypeID, parsers);
      rows.push(row as TRow);
    } else if (message.name === 'commandComplete') {
      // "INSERT 0 5", "UPDATE 3", "SELECT 2": the count is the last word where there is one.
      const words = (message as unknown as { text: string }).text.split(' ');
      const count = Number(words[words.length - 1]);
      if (Number.isInteger(count) && ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(words[0]!)) rowCount = count;
    }
  }
  return { rows, rowCount };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
