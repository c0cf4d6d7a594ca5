import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPgClient } from '../../runtime/pg-client.js';
import { serverUrl } from '../support/database.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What the README promises a newcomer: `npm run example` runs the orders domain end to end. */
describe('the orders example (npm run example)', () => {
  it('places, pays and ships orders, travels in time, refuses a stale save and a bad payload, and projects read models', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'examples/orders/demo.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ESGEN_EXAMPLE_SCHEMA: schema, NO_COLOR: '1' },
      timeout: 120_000,
    });
    if (serverUrl) {
      const client = await createPgClient({ connectionString: serverUrl });
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.close();
    }
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain(serverUrl ? 'on PostgreSQL server' : 'on embedded PGlite');
    expect(out).toMatch(/order-1 now: +status=shipped tracking=TRACK-123 version=3/);
    expect(out).toMatch(/order-1 after pay: +status=paid version=2/);
    expect(out).toMatch(/v1 OrderCreated .*"currency":"EUR"/);
    expect(out).toMatch(/second writer: +ESG201 .*expected version 1 but the stream is at version 2/);
    expect(out).toMatch(/invalid payload: +ESG202 .*\/items\/0\/quantity/);
    expect(out).toMatch(/order-4 stored: +false/);
    const aliceRows = out.split('OrderList where userId = alice')[1]?.split('OrderStats')[0] ?? '';
    expect(aliceRows.match(/"userId":"alice"/g)).toHaveLength(2);
    expect(aliceRows).toContain('"status":"shipped"');
    expect(out).toMatch(/\{"id":"\d{4}-\d{2}-\d{2}","units":\[\{"sku":"book","quantity":2,"unitPrice":12\.5\},\{"sku":"pen","quantity":4,"unitPrice":2\}\],"dailyTotal":33,"orderCount":3,"dailyTotalCents":3300\}/);
    expect(aliceRows).toMatch(/"id":"order-1"/);
    expect(out.trimEnd().endsWith('done.')).toBe(true);
  });
});
