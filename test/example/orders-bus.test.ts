import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgClient } from '../../runtime/pg-client.js';
import { serverUrl } from '../support/database.js';
import { deleteStream, natsConnection } from '../publish/bus-test-kit.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** docs/message-bus.md's promise: the orders example publishes, and a second script consumes with only the generated code. */
describe('the orders example on the message bus', () => {
  const tag = randomBytes(5).toString('hex');
  const env = {
    ...process.env,
    ORDERS_STREAM: `ORDERS_T_${tag}`,
    ORDERS_SUBJECT_PREFIX: `shop_${tag}`,
    ESGEN_EXAMPLE_SCHEMA: `t_${tag}`,
    NO_COLOR: '1',
  };
  afterAll(async () => {
    const nc = await natsConnection();
    await deleteStream(nc, env.ORDERS_STREAM);
    await nc.close();
    if (serverUrl) {
      const client = await createPgClient({ connectionString: serverUrl });
      await client.query(`DROP SCHEMA IF EXISTS ${env.ESGEN_EXAMPLE_SCHEMA} CASCADE`);
      await client.close();
    }
  });

  it('publish-demo.ts publishes an order’s events; consume-demo.ts receives them typed, in order', () => {
    const run = (script: string, extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', `examples/orders/${script}`], {
        cwd: root,
        encoding: 'utf8',
        env: { ...env, ...extra },
        timeout: 120_000,
      });
    const published = run('publish-demo.ts');
    expect(published.stderr).toBe('');
    expect(published.status).toBe(0);
    const id = /published (order-\d+): OrderCreated, OrderPaid, OrderShipped on shop_\w+\.Order\.\*/.exec(published.stdout)?.[1];
    expect(id).toBeDefined();
    const consumed = run('consume-demo.ts', { COUNT: '3', CONSUMER_NAME: `mailer_${tag}` });
    expect(consumed.stderr).toBe('');
    expect(consumed.status).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual([
      `${id} v1 created for alice: 25 EUR`,
      `${id} v2 paid 25 (payment pay-77)`,
      `${id} v3 shipped, tracking TRACK-123`,
      'consumed 3 events',
    ]);
  });
});
