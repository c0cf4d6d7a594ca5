import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../generator/config/load-config.js';

function configIn(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'esgen-publishers-'));
  writeFileSync(join(dir, 'esgen.config.yaml'), text);
  return dir;
}

describe('publishers: in esgen.config.yaml', () => {
  it('loads publisher settings as written', async () => {
    const cwd = configIn(`publishers:
  orders_bus:
    servers: [nats://127.0.0.1:4222]
    subjectPrefix: shop.orders
    stream: { name: ORDERS, duplicateWindowSeconds: 300, maxMessageBytes: 65536 }
    aggregates: [Order]
    batchSize: 128
`);
    const loaded = await loadConfig({ cwd });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.publishers).toEqual({
      orders_bus: {
        servers: ['nats://127.0.0.1:4222'],
        subjectPrefix: 'shop.orders',
        stream: {
          name: 'ORDERS',
          duplicateWindowSeconds: 300,
          maxMessageBytes: 65536,
        },
        aggregates: ['Order'],
        batchSize: 128,
      },
    });
  });

  it('reports every mistake at once, with its line and column', async () => {
    const cwd = configIn(`publishers:
  Orders-Bus:
    subjectPrefix: orders
    stream: { name: ORDERS }
  good:
    subjectPrefix: "orders.>"
    stream: { duplicateWindowSeconds: 0 }
`);
    const loaded = await loadConfig({ cwd });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const found = loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
    expect(found.some((text) => text.startsWith('2:') && /Orders-Bus/.test(text))).toBe(true);
    expect(found.some((text) => text.startsWith('6:') && /subjectPrefix/.test(text))).toBe(true);
    expect(found.some((text) => text.startsWith('7:') && /name/.test(text))).toBe(true);
    expect(found.some((text) => text.startsWith('7:') && /duplicateWindowSeconds/.test(text))).toBe(true);
  });

  it('defaults to no publishers', async () => {
    const loaded = await loadConfig({
      cwd: configIn('specs: domain/*.esgen.yaml\n'),
    });
    expect(loaded.ok && loaded.config.publishers).toEqual({});
  });
});
