/**
 * A retired version end to end: the spec builds with the real CLI, the output compiles strictly,
 * the lock keeps the retired entry, and the generated registry refuses a stored payload of that
 * version while reading the kept ones.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineEvent } from '../../runtime/codegen/define-aggregate.js';
import { check } from '../../runtime/codegen/checks.js';
import { repoRoot, runEsgen, runTscAsync, strictTsconfig } from '../codegen/codegen-support.js';

const scratch = mkdtempSync(join(tmpdir(), 'esgen-retired-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const spec = (v1: string) => `aggregate: Payment
events:
  PaymentMade:
    version: 3
    fields: { amount: number, currency: string, method: string }
    history:
      1: ${v1}
      2:
        fields: { amount: number, currency: string }
        upcast: { add: { method: card } }
`;

describe('a retired version', () => {
  it('builds, keeps its lock entry, and compiles under tsc --strict', async () => {
    const dir = join(scratch, 'payments');
    mkdirSync(join(dir, 'domain'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'esgen.config.yaml'), 'specs: domain/*.esgen.yaml\n');
    const file = join(dir, 'domain/payment.esgen.yaml');
    writeFileSync(file, spec('{ fields: { amount: number }, upcast: { add: { currency: EUR } } }'));
    expect(runEsgen(['build'], dir).status).toBe(0);
    const lock = readFileSync(join(dir, 'esgen.lock'), 'utf8');
    expect(lock).toContain('PaymentMade v1');

    writeFileSync(file, spec('{ retired: true }'));
    const built = runEsgen(['build'], dir);
    expect(`${built.stdout}${built.stderr}`).not.toMatch(/error/i);
    expect(built.status).toBe(0);
    expect(readFileSync(join(dir, 'esgen.lock'), 'utf8')).toBe(lock);
    const events = readFileSync(join(dir, 'src/generated/payment/events.ts'), 'utf8');
    expect(events).not.toContain('PaymentMadeV1');
    expect(events).toContain('PaymentMadeV2');
    expect(readFileSync(join(dir, 'src/generated/payment/registry.ts'), 'utf8')).toMatch(/versions: \[\s*null,/);

    const tsconfig = strictTsconfig(mkdtempSync(join(scratch, 'tsc-')), [join(dir, 'src/**/*.ts')], {});
    const checked = await runTscAsync(['-p', tsconfig], repoRoot);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  }, 120_000);

  it('is refused when read, with a message that says why; kept versions still upcast', () => {
    const definition = defineEvent('PaymentMade', 'Payment', {
      versions: [null, { amount: check.number, currency: check.string }, { amount: check.number, currency: check.string, method: check.string }],
      upcasts: [null, (data: never) => ({ ...(data as object), method: 'card' })],
    });
    const refused = definition.validate(1, { amount: 5 });
    expect(refused).toEqual({ ok: false, errors: [{ path: '', message: expect.stringContaining('PaymentMade version 1 is retired') }] });
    expect(() => definition.upcast(1, { amount: 5 })).toThrow(/version 1 is retired/);
    expect(definition.validate(2, { amount: 5, currency: 'EUR' })).toEqual({ ok: true });
    expect(definition.upcast(2, { amount: 5, currency: 'EUR' })).toEqual({ amount: 5, currency: 'EUR', method: 'card' });
  });
});
