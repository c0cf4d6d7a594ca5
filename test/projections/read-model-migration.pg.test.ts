import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationChecksum, migrations } from '../../runtime/admin.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

describe('migration 2 (read-model-runtime)', () => {
  it('is unchanged since release (add a migration instead of editing it)', () => {
    const migration = migrations.find((m) => m.version === 2);
    expect(migration?.name).toBe('read-model-runtime');
    expect(migrationChecksum(migration!)).toBe('12de2ea045fb8b9983473e311a50697739bbf460991bd7e3b5520f6f102dc63f');
  });

  describe('applied', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase();
      await migrate(db.client, { schema: db.schema });
    });
    afterAll(() => db.dispose());

    const columns = async (table: string) =>
      (
        await db.client.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
          [db.schema, table],
        )
      ).rows.map((row) => row.column_name);

    it('creates the lease, worker and rebuild tables and the failure columns', async () => {
      expect(await columns('projection_leases')).toEqual(['projection_name', 'owner', 'expires_at', 'acquired_at', 'renewed_at']);
      expect(await columns('projection_workers')).toEqual(['worker_id', 'host', 'pid', 'started_at', 'heartbeat_at']);
      expect(await columns('projection_rebuilds')).toEqual(['projection_name', 'shadow_name', 'owner', 'started_at', 'total_events']);
      expect((await columns('projection_positions')).slice(4)).toEqual([
        'kind',
        'status',
        'fingerprint',
        'events_processed',
        'error_position',
        'error_transaction_id',
        'error_event_id',
        'error_event_type',
        'error_message',
        'error_at',
        'error_attempts',
        'retry_at',
      ]);
    });

    it('defines an immutable timestamptz cast that does not depend on the session time zone', async () => {
      const result = await db.client.transaction(async (tx) => {
        await tx.query(`SET LOCAL TimeZone = 'America/New_York'`);
        return tx.query<{ at: string; volatility: string }>(
          `SELECT to_char(${`"${db.schema}".esgen_timestamptz('2026-03-01T12:00:00.000Z')`} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS at,
                  (SELECT provolatile FROM pg_proc WHERE oid = '"${db.schema}".esgen_timestamptz(text)'::regprocedure)::text AS volatility`,
        );
      });
      expect(result.rows[0]).toEqual({ at: '2026-03-01 12:00', volatility: 'i' });
    });
  });
});
