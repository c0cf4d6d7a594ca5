import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenProjects, repoRoot, runTscAsync, strictTsconfig } from './codegen-support.js';

const scratch = mkdtempSync(join(tmpdir(), 'esgen-types-'));
writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tsc --noEmit --strict over the committed output', () => {
  it('type-checks the generated code and user-owned classes of every example', async () => {
    // One compiler run for all projects (the runtime and lib files are checked once); errors name their files.
    const folder = mkdtempSync(join(scratch, 'projects-'));
    const tsconfig = strictTsconfig(folder, goldenProjects().map((project) => join(project.dir, 'src/**/*.ts')));
    const { status, output } = await runTscAsync(['-p', tsconfig, '--listFilesOnly'], repoRoot);
    expect(status).toBe(0);
    for (const project of goldenProjects()) expect(output, project.name).toContain(`${project.dir}/src/generated/registry.ts`);
    const checked = await runTscAsync(['-p', tsconfig], repoRoot);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  });

  it('type-checks them with exactOptionalPropertyTypes too, against the runtime as installed (dist)', async () => {
    const folder = mkdtempSync(join(scratch, 'exact-'));
    const tsconfig = strictTsconfig(
      folder,
      goldenProjects().map((project) => join(project.dir, 'src/**/*.ts')),
      { exactOptionalPropertyTypes: true, paths: { 'esgen/runtime': [join(repoRoot, 'dist/runtime/index.d.ts')] } },
    );
    const checked = await runTscAsync(['-p', tsconfig], repoRoot);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  }, 120_000);
});

describe('the generated aggregate base class', () => {
  const orderGenerated = join(repoRoot, 'examples/orders/src/generated/order');
  let diagnostics = '';

  beforeAll(async () => {
    const folder = mkdtempSync(join(scratch, 'misuse-'));
    writeFileSync(
      join(folder, 'incomplete-order.ts'),
      [
        `import { OrderBase } from ${JSON.stringify(join(orderGenerated, 'order.base.js'))};`,
        '',
        '// OrderDelivered has no apply rules, and this class forgets its handler.',
        'export class IncompleteOrder extends OrderBase {}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'sloppy-order.ts'),
      [
        `import type { OrderDelivered } from ${JSON.stringify(join(orderGenerated, 'events.js'))};`,
        `import { OrderBase } from ${JSON.stringify(join(orderGenerated, 'order.base.js'))};`,
        'export class SloppyOrder extends OrderBase {',
        '  pay(): void {',
        "    this.raise('OrderPaid', { paymentId: 'p-1', paidAmount: '12' });",
        '  }',
        '  protected override onOrderDelivered(_data: OrderDelivered): void {}',
        '}',
        '',
      ].join('\n'),
    );
    const result = await runTscAsync(['-p', strictTsconfig(folder, [join(folder, '*.ts')])], repoRoot);
    expect(result.status).not.toBe(0);
    diagnostics = result.output;
  });

  it('makes a missing on<Event> handler a compile error naming the event', () => {
    expect(diagnostics).toMatch(
      /incomplete-order\.ts\(4,14\): error TS2515: Non-abstract class 'IncompleteOrder' does not implement inherited abstract member '?onOrderDelivered'? from class 'OrderBase'/,
    );
  });

  it('rejects a raise with a payload of the wrong shape', () => {
    expect(diagnostics).toMatch(/sloppy-order\.ts\(5,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });
});
