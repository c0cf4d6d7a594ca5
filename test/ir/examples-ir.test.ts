/**
 * IR snapshots of every example domain: the IR is what code generation reads, so any change to it
 * shows up here as a reviewable diff. Update with `npx vitest run test/ir -u`.
 */
import { mappingOpNames } from '../../generator/ops/mapping-ops.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../generator/load/load-project.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('the IR of each example', () => {
  it('covers at least three example domains', () => {
    expect(examples).toEqual(expect.arrayContaining(['orders', 'bank-account', 'hotel-booking']));
  });

  it.each(examples)('%s loads without diagnostics and matches its IR snapshot', async (example) => {
    const result = await loadProject({ cwd: join(examplesDir, example), env: {} });
    expect(result.diagnostics).toEqual([]);
    if (!result.ok) throw new Error('unreachable');
    expect(Object.isFrozen(result.ir.aggregates[0])).toBe(true);
    await expect(`${JSON.stringify(result.ir, null, 2)}\n`).toMatchFileSnapshot(`./golden/${example}.ir.json`);
  });

  it('resolves the orders config with every default written out', async () => {
    const root = join(examplesDir, 'orders');
    const result = await loadProject({ cwd: root, env: { DATABASE_URL: 'postgres://db.example/orders' } });
    expect(result.config).toEqual({
      root,
      configFile: join(root, 'esgen.config.yaml'),
      specs: ['domain/**/*.esgen.yaml'],
      output: join(root, 'src/generated'),
      source: join(root, 'src/domain'),
      runtimeImport: 'esgen/runtime',
      database: { url: 'postgres://db.example/orders', dataDir: join(root, '.esgen/pgdata') },
      publishers: {},
    });
  });
});

describe('the examples together', () => {
  it('exercise every mapping operation, key kind and spec feature', async () => {
    const aggregates = [];
    for (const example of examples) {
      const result = await loadProject({ cwd: join(examplesDir, example), env: {} });
      if (result.ok) aggregates.push(...result.ir.aggregates);
    }
    const readModels = aggregates.flatMap((a) => a.readModels);
    const rules = readModels.flatMap((m) => m.fields.flatMap((f) => f.rules));
    const ops = new Set(rules.map((r) => r.op.kind));
    // Every row of the mapping-operation table, so the examples' goldens and runtime tests cover
    // each; `removeBy` and `decrement` need events that name one element (remove a line, reduce its
    // quantity), which no example has: the codegen fixture's CartLines covers them (golden output,
    // generated-behaviour.test.ts, read-model-operations.pg.test.ts).
    const shop = await loadProject({ cwd: fileURLToPath(new URL('../codegen/fixtures/shop/', import.meta.url)), env: {} });
    const shopOps = new Set(shop.ok ? shop.ir.aggregates.flatMap((a) => a.readModels.flatMap((m) => m.fields.flatMap((f) => f.rules.map((r) => r.op.kind)))) : []);
    expect([...ops].sort()).toEqual(mappingOpNames.filter((name) => name !== 'removeBy' && name !== 'decrement').sort());
    expect([...shopOps].sort()).toEqual(expect.arrayContaining(['removeBy', 'decrement']));
    const values = rules.flatMap((r) => ('value' in r.op ? [r.op.value.kind] : []));
    expect(new Set(values)).toEqual(new Set(['event', 'envelope', 'metadata', 'const', 'computed']));
    expect(readModels.some((m) => m.key.kind === 'computed' && m.key.sources.some((s) => s.bucket === 'day'))).toBe(true);
    expect(readModels.some((m) => m.key.kind === 'computed' && m.key.sources.length > 1)).toBe(true);
    expect(readModels.some((m) => m.deleteOn.length > 0)).toBe(true);
    expect(readModels.some((m) => m.customOn.length > 0)).toBe(true);
    expect(readModels.some((m) => m.mode === 'inline')).toBe(true);
    const events = aggregates.flatMap((a) => a.events);
    const steps = events.flatMap((e) => e.versions.flatMap((v) => (v.upcast ? [v.upcast] : [])));
    expect(steps.some((s) => s.kind === 'custom')).toBe(true);
    const upcastOps = new Set(steps.flatMap((s) => (s.kind === 'declarative' ? s.ops.map((o) => o.kind) : [])));
    expect([...upcastOps].sort()).toEqual(['add', 'remove', 'rename']);
    expect(events.some((e) => e.apply === undefined)).toBe(true);
    const fields = aggregates.flatMap((a) => [...a.state, ...events.flatMap((e) => e.versions.flatMap((v) => v.fields)), ...a.types.flatMap((t) => (t.kind === 'record' ? t.fields : []))]);
    expect(fields.some((f) => f.pii)).toBe(true);
    expect(fields.some((f) => f.optional)).toBe(true);
    expect(fields.some((f) => f.type.kind === 'map')).toBe(true);
    expect(fields.some((f) => f.default !== undefined)).toBe(true);
    expect(aggregates.some((a) => a.snapshotEvery !== undefined)).toBe(true);
  });
});
