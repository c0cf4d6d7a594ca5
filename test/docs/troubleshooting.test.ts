/**
 * docs/troubleshooting.md is built from real messages: each one here is produced the way a user
 * meets it, with the values the page shows, and must appear on the page verbatim.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSourcing, type EventSourcing } from '../../runtime/index.js';
import { Order } from '../../examples/orders/src/domain/order.js';
import { orderListReadModel, registry } from '../../examples/orders/src/generated/index.js';
import { repoRoot } from '../codegen/codegen-support.js';

const page = readFileSync(join(repoRoot, 'docs/troubleshooting.md'), 'utf8');
const bin = join(repoRoot, 'bin/esgen.js');

function thrown(run: () => unknown): Promise<string> {
  return Promise.resolve()
    .then(run)
    .then(
      () => {
        throw new Error('expected an error');
      },
      (error: Error) => error.message,
    );
}

function esgen(args: string[], cwd: string): string {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1' } });
  return result.stderr.trim();
}

describe('docs/troubleshooting.md', () => {
  let es: EventSourcing;
  beforeAll(async () => {
    es = await createEventSourcing({ registry });
  });
  afterAll(() => es.close());

  it('quotes the runtime errors of the orders example as they are', async () => {
    const orders = es.repository(Order);
    const order = orders.create('order-1');
    order.place({ userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 1, unitPrice: 5 }] });
    await orders.save(order);
    const [a, b] = [await orders.load('order-1'), await orders.load('order-1')];
    a.pay('p1', 5);
    b.pay('p2', 5);
    await orders.save(a);
    expect(page).toContain(await thrown(() => orders.save(b)));

    const bad = orders.create('order-2');
    bad.place({ userId: 'bob', currency: 'EUR', items: [{ sku: 'cup', quantity: 1.5, unitPrice: 3 }] });
    expect(page).toContain(await thrown(() => orders.save(bad)));
    expect(page).toContain(await thrown(() => orders.load('order-9')));
    expect(page).toContain(await thrown(() => es.readModel(orderListReadModel).find({ where: { total: { gte: 5 } } as never })));
  });

  it('quotes the PGlite folder-in-use error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'esgen-trouble-'));
    const first = await createEventSourcing({ registry, dataDir });
    try {
      const message = await thrown(() => createEventSourcing({ registry, dataDir }));
      const shown = message.replace(dataDir, '/tmp/data').replace(/process \d+ \(this one\)/, 'process 4242');
      expect(page).toContain(shown);
    } finally {
      await first.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('quotes the command-line messages: no registry, tables missing, a locked version changed', () => {
    const empty = mkdtempSync(join(tmpdir(), 'esgen-trouble-'));
    const project = mkdtempSync(join(tmpdir(), 'esgen-trouble-'));
    try {
      expect(page).toContain(esgen(['events', 'Order', 'order-1'], empty).replace(empty, '/tmp/trp'));
      const missing = esgen(['events', 'Order', 'order-1', '--cwd', join(repoRoot, 'examples/orders'), '--data-dir', join(empty, 'pgdata')], empty);
      expect(page).toContain(missing.replace(join(empty, 'pgdata'), '/tmp/empt'));

      cpSync(join(repoRoot, 'examples/orders'), join(project, 'orders'), { recursive: true });
      writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
      const spec = join(project, 'orders/domain/order.esgen.yaml');
      writeFileSync(spec, readFileSync(spec, 'utf8').replace('fields: { paymentId: string, paidAmount: number }', 'fields: { paymentId: string, paidAmount: integer }'));
      const build = spawnSync(process.execPath, [bin, 'build', '--no-color'], { cwd: join(project, 'orders'), encoding: 'utf8' });
      expect(build.status).toBe(1);
      expect(page).toContain(build.stderr.split('\n')[0]!);
    } finally {
      rmSync(empty, { recursive: true, force: true });
      rmSync(project, { recursive: true, force: true });
    }
  });
});
