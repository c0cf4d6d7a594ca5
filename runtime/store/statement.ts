import { createHash } from 'node:crypto';
import type { QueryOptions } from '../sql-client.js';

/** A SQL text with the prepared-statement name the store runs it under (none when disabled). */
export interface Statement {
  readonly sql: string;
  readonly options: QueryOptions | undefined;
}

/**
 * Names derive from a hash of the text: one name per distinct text (per schema, per variant), as
 * node-postgres requires, and stable across processes. Prepared statements save the server a
 * parse and plan per call, which is most of a single append's server time.
 */
export function statement(sql: string, prepared: boolean): Statement {
  if (!prepared) return { sql, options: undefined };
  return { sql, options: { name: `esgen_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}` } };
}

const PREPARED = new Map<string, QueryOptions>();

/**
 * The named-statement options of a statement text, memoised: for hot paths that hold their SQL as
 * plain text (projection batches, inline projections). The client runs it unnamed when it was
 * created with preparedStatements: false.
 */
export function prepared(sql: string): QueryOptions {
  let options = PREPARED.get(sql);
  if (options === undefined) {
    options = statement(sql, true).options!;
    PREPARED.set(sql, options);
  }
  return options;
}

export function statements<TKey extends string>(texts: Readonly<Record<TKey, string>>, prepared: boolean): Record<TKey, Statement> {
  const result = {} as Record<TKey, Statement>;
  for (const key of Object.keys(texts) as TKey[]) result[key] = statement(texts[key], prepared);
  return result;
}

/** The same statements, marked as writes outside a transaction (see QueryOptions.commits). */
export function committing<TKey extends string>(all: Record<TKey, Statement>): Record<TKey, Statement> {
  const result = {} as Record<TKey, Statement>;
  for (const key of Object.keys(all) as TKey[]) result[key] = { sql: all[key].sql, options: { ...all[key].options, commits: true } };
  return result;
}
