import { describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown, ConnectionLost, createEventSourcing, DEFAULT_POOL_OPTIONS, isEsgenError, QueryTimedOut } from '../../runtime/index.js';
import { connectionReusable, StatementReadTimeout, translateFault, withEventIds } from '../../runtime/pg-faults.js';
import { pgPoolConfig, resolvePoolOptions } from '../../runtime/pg-pool-options.js';
import { serverUrl } from '../support/database.js';
import { asyncLedgerRegistry } from '../projections/fixtures/ledger-registry.js';

describe('pool options', () => {
  it('fill in documented defaults; the query timeout follows the statement timeout', () => {
    expect(resolvePoolOptions()).toEqual({
      max: 10,
      connectionTimeoutMs: 10_000,
      statementTimeoutMs: 30_000,
      queryTimeoutMs: 35_000,
      idleTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
      applicationName: 'esgen',
      keepAlive: true,
    });
    expect(DEFAULT_POOL_OPTIONS.max).toBe(10);
    expect(resolvePoolOptions({ statementTimeoutMs: 1_000 }).queryTimeoutMs).toBe(6_000);
    expect(resolvePoolOptions({ statementTimeoutMs: 0 }).queryTimeoutMs).toBe(0);
    // 0 turns a server-side limit off: it is not sent at all.
    const config = pgPoolConfig(resolvePoolOptions({ statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 }));
    expect(config).not.toHaveProperty('statement_timeout');
    expect(config).not.toHaveProperty('query_timeout');
    // Never pg's query_timeout, which made reading rows cost twice the CPU: esgen's client times statements itself.
    expect(pgPoolConfig(resolvePoolOptions())).not.toHaveProperty('query_timeout');
    expect(config).not.toHaveProperty('idle_in_transaction_session_timeout');
    expect(config).toMatchObject({ max: 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, application_name: 'esgen', keepAlive: true });
  });

  it.each([
    [{ max: 0 }, /max must be at least 1/],
    [{ statementTimeoutMs: -1 }, /statementTimeoutMs must be a non-negative integer/],
    [{ connectionTimeoutMs: Number.NaN }, /connectionTimeoutMs must be a non-negative integer/],
    [{ idleTimeoutMs: 1.5 }, /idleTimeoutMs must be a non-negative integer/],
  ])('refuse %o with InvalidArgument', (options, message) => {
    let caught: unknown;
    try {
      resolvePoolOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(isEsgenError(caught, 'ESG206')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it.skipIf(!serverUrl)('reach every session of createEventSourcing’s pool (server)', async () => {
    const es = await createEventSourcing({
      registry: asyncLedgerRegistry,
      databaseUrl: serverUrl,
      schema: `t_pool_${process.pid}`,
      pool: { max: 3, statementTimeoutMs: 4_321, idleInTransactionTimeoutMs: 7_000, applicationName: 'esgen-pool-test' },
    });
    try {
      const settings = await es.client.query<{ statement_timeout: string; idle: string; application_name: string }>(
        `SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('idle_in_transaction_session_timeout') AS idle,
                current_setting('application_name') AS application_name`,
      );
      expect(settings.rows).toEqual([{ statement_timeout: '4321ms', idle: '7s', application_name: 'esgen-pool-test' }]);
      // statement_timeout cancels a long statement: a typed, not-committed QueryTimedOut.
      const slow = await es.client.query(`SELECT pg_sleep(10)`).then(() => undefined, (error: unknown) => error);
      expect(slow).toBeInstanceOf(QueryTimedOut);
      expect(slow).toMatchObject({ code: 'ESG214', kind: 'statement', timeoutMs: 4_321, outcome: 'not-committed' });
    } finally {
      await es.client.query(`DROP SCHEMA IF EXISTS t_pool_${process.pid} CASCADE`).catch(() => undefined);
      await es.close();
    }
  });
});

describe('translating driver errors', () => {
  const terminated = new Error('Connection terminated unexpectedly');
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const adminShutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
  const uniqueViolation = Object.assign(new Error('duplicate key value'), { code: '23505', severity: 'ERROR' });

  it('says whether a write may have been committed, by how far it got', () => {
    expect(translateFault(refused, 'connect')).toBeInstanceOf(ConnectionLost);
    expect(translateFault(terminated, 'open')).toMatchObject({ code: 'ESG212', outcome: 'not-committed', phase: 'query' });
    expect(translateFault(adminShutdown, 'read')).toMatchObject({ code: 'ESG212' });
    expect(translateFault(terminated, 'commit')).toBeInstanceOf(CommitOutcomeUnknown);
    // pg did not even send it: the connection was known dead.
    expect(translateFault(new Error('Client has encountered a connection error and is not queryable'), 'commit')).toBeInstanceOf(ConnectionLost);
    expect(translateFault(new Error('Query read timeout'), 'commit', { queryTimeoutMs: 9 })).toMatchObject({ code: 'ESG214', kind: 'query', outcome: 'unknown', timeoutMs: 9 });
    expect(translateFault(new Error('Query read timeout'), 'open')).toMatchObject({ kind: 'query', outcome: 'not-committed' });
    // esgen's own read timeout (pg-client.ts) reads the same, and its connection is never reused.
    expect(translateFault(new StatementReadTimeout(9), 'commit', { queryTimeoutMs: 9 })).toMatchObject({ code: 'ESG214', kind: 'query', outcome: 'unknown', timeoutMs: 9 });
    expect(translateFault(new StatementReadTimeout(9), 'read', { queryTimeoutMs: 9 })).toMatchObject({ code: 'ESG214', kind: 'query', outcome: 'not-committed' });
    expect(connectionReusable(new StatementReadTimeout(9))).toBe(false);
    expect(translateFault(new Error('timeout exceeded when trying to connect'), 'connect')).toMatchObject({ kind: 'connect', outcome: 'not-committed' });
  });

  it('leaves errors about the SQL itself alone', () => {
    expect(translateFault(uniqueViolation, 'commit')).toBe(uniqueViolation);
    const cancelled = Object.assign(new Error('canceling statement due to user request'), { code: '57014', severity: 'ERROR' });
    expect(translateFault(cancelled, 'read')).toBe(cancelled);
  });

  it('names the events of an append whose outcome is unknown', () => {
    const unknown = withEventIds(translateFault(terminated, 'commit'), ['e-1', 'e-2']);
    expect(unknown).toMatchObject({ code: 'ESG213', eventIds: ['e-1', 'e-2'] });
    expect((unknown as Error).message).toContain('Check for event e-1 (store.findEvent)');
    const lost = translateFault(terminated, 'open');
    expect(withEventIds(lost, ['e-1'])).toBe(lost);
  });
});
