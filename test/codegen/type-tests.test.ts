/**
 * Type-level tests can fail: an `expectTypeOf` that does not hold and a `@ts-expect-error` that
 * expects nothing are compile errors, which is how vitest's typecheck (the `*.test-d.ts` files)
 * reports them. Checked here on deliberately wrong expectations.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runTscAsync } from './codegen-support.js';

// Inside the repository (for `vitest` and the examples to resolve), in a folder tsconfig.json,
// vitest and git all ignore.
mkdirSync(join(repoRoot, 'test/codegen/tmp'), { recursive: true });
const folder = mkdtempSync(join(repoRoot, 'test/codegen/tmp/type-tests-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('type-level tests', () => {
  it('fail to compile when an expectation is wrong, and only then', async () => {
    const events = join(repoRoot, 'examples/orders/src/generated/order/events.js');
    writeFileSync(
      join(folder, 'expectations.ts'),
      [
        "import { expectTypeOf } from 'vitest';",
        `import type { OrderCreated, OrderCreatedV1, OrderEvents } from ${JSON.stringify(events)};`,
        "expectTypeOf<OrderEvents['OrderCreated']>().toEqualTypeOf<OrderCreated>(); // holds",
        'expectTypeOf<OrderCreated>().toEqualTypeOf<OrderCreatedV1>(); // wrong: line 4',
        '// @ts-expect-error wrong: nothing to expect on line 6',
        'const fine: OrderCreated | undefined = undefined;',
        'void fine;',
        '',
      ].join('\n'),
    );
    writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ extends: join(repoRoot, 'tsconfig.json'), include: ['expectations.ts'], exclude: [] }));
    const { status, output } = await runTscAsync(['-p', join(folder, 'tsconfig.json')], repoRoot);
    expect(status).not.toBe(0);
    const lines = output.split('\n').filter((line) => /expectations\.ts\(\d+,\d+\): error/.test(line));
    expect(lines.map((line) => /\((\d+),/.exec(line)![1])).toEqual(['4', '5']);
    expect(output).toMatch(/expectations\.ts\(5,1\): error TS2578: Unused '@ts-expect-error' directive/);
  });
});
