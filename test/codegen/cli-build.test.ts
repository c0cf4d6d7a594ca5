/**
 * `esgen build` and `esgen check` through the real binary, on throwaway copies of the projects.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyProject, mtimes, repoRoot, runEsgen } from './codegen-support.js';

const ordersExample = join(repoRoot, 'examples/orders');
const copies: { dispose(): void }[] = [];
function copy(dir: string): string {
  const project = copyProject(dir);
  copies.push(project);
  return project.dir;
}
afterEach(() => copies.splice(0).forEach((project) => project.dispose()));

/**
 * Adds an optional field to OrderPaid: a small, valid spec edit. OrderPaid v1 is locked in the
 * example's esgen.lock, so the copy forgets its lock first: these tests are about generated code,
 * test/lock/ is about the lock's rules.
 */
function editOrderSpec(dir: string): void {
  rmSync(join(dir, 'esgen.lock'));
  const spec = join(dir, 'domain/order.esgen.yaml');
  const text = readFileSync(spec, 'utf8');
  const edited = text.replace('fields: { paymentId: string, paidAmount: number }', 'fields: { paymentId: string, paidAmount: number, note: string? }');
  expect(edited).not.toBe(text);
  writeFileSync(spec, edited);
}

describe('esgen build', () => {
  it('writes nothing the second time: every modification time stays the same', () => {
    const dir = copy(ordersExample);
    rmSync(join(dir, 'src/generated'), { recursive: true });
    const first = runEsgen(['build'], dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/esgen build: 17 files written, 0 unchanged, 0 removed; user files: 0 created, 2 kept/);
    const before = mtimes(join(dir, 'src'));
    const second = runEsgen(['build'], dir);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/esgen build: 0 files written, 17 unchanged, 0 removed; user files: 0 created, 2 kept/);
    expect(mtimes(join(dir, 'src'))).toEqual(before);
  });

  it('scaffolds the user-owned class once and keeps the user’s edits on later builds', () => {
    const dir = copy(ordersExample);
    rmSync(join(dir, 'src'), { recursive: true });
    const first = runEsgen(['build'], dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('created src/domain/order.ts');
    const userFile = join(dir, 'src/domain/order.ts');
    expect(readFileSync(userFile, 'utf8')).toContain('export class Order extends OrderBase');
    expect(readFileSync(userFile, 'utf8')).toContain('protected override onOrderDelivered(_data: OrderDelivered, _context: EventContext): void');

    const edited = `${readFileSync(userFile, 'utf8')}\n// the user's own words\n`;
    writeFileSync(userFile, edited);
    editOrderSpec(dir);
    const second = runEsgen(['build'], dir);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/user files: 0 created, 2 kept/);
    expect(readFileSync(userFile, 'utf8')).toBe(edited);
    expect(readFileSync(join(dir, 'src/generated/order/events.ts'), 'utf8')).toContain('readonly note?: string;');
  });

  it('scaffolds handler: true events with a handler that runs after the rules, and never rewrites an existing class for them', () => {
    const bank = join(repoRoot, 'examples/bank-account');
    const dir = copy(bank);
    const userFile = join(dir, 'src/domain/bank-account.ts');
    const kept = readFileSync(userFile, 'utf8');
    rmSync(join(dir, 'src/domain/bank-account.ts'));
    const first = runEsgen(['build'], dir);
    expect(first.status).toBe(0);
    const scaffold = readFileSync(userFile, 'utf8');
    // MoneyWithdrawn has apply rules and `handler: true`; MoneyDeposited has rules only.
    expect(scaffold).toContain('protected override onMoneyWithdrawn(_data: MoneyWithdrawn, _context: EventContext): void');
    expect(scaffold).toContain("MoneyWithdrawn's `apply` rules have run (`handler: true`)");
    expect(scaffold).not.toContain('onMoneyDeposited');

    writeFileSync(userFile, kept);
    const spec = join(dir, 'domain/bank-account.esgen.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('depositsByChannel: { entry: event.channel, add: event.amount }', 'depositsByChannel: { entry: event.channel, add: event.amount }\n    handler: true'));
    const second = runEsgen(['build'], dir);
    expect(second.status).toBe(0);
    expect(readFileSync(userFile, 'utf8')).toBe(kept);
    expect(readFileSync(join(dir, 'src/generated/bank-account/bank-account.base.ts'), 'utf8')).toContain('protected abstract onMoneyDeposited(data: MoneyDeposited, context: EventContext): void;');
  });

  it('writes nothing and exits 1 when a spec is invalid, printing the diagnostics', () => {
    const dir = copy(ordersExample);
    const before = mtimes(join(dir, 'src'));
    const spec = join(dir, 'domain/order.esgen.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('apply: { status: paid }', 'apply: { statut: paid }'));
    const result = runEsgen(['build'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/domain\/order\.esgen\.yaml:\d+:\d+ error ESG\d+ .*statut/);
    expect(result.stderr).toContain('nothing was written; fix the problems above');
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
    expect(mtimes(join(dir, 'src'))).toEqual(before);
  });

  it('always lists the user files it creates, even when the build changes more than 20 files', () => {
    const dir = copy(ordersExample);
    const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
    for (const name of names) {
      writeFileSync(join(dir, `domain/${name.toLowerCase()}.esgen.yaml`), `aggregate: ${name}\nstate: { count: { type: integer, default: 0 } }\nevents:\n  ${name}Counted: {}\n`);
    }
    const result = runEsgen(['build'], dir);
    expect(result.status, result.stderr).toBe(0);
    const written = Number(/esgen build: (\d+) files written/.exec(result.stdout)?.[1]);
    expect(written).toBeGreaterThan(20);
    expect(result.stdout).not.toMatch(/wrote /); // the long list of generated files is summed up…
    for (const name of names) expect(result.stdout).toContain(`created src/domain/${name.toLowerCase()}.ts (yours from now on)`); // …but not what the user owns
  });

  it('names a user file whose spec is gone, and says what to do with it', () => {
    const dir = copy(ordersExample);
    writeFileSync(join(dir, 'domain/supplier.esgen.yaml'), 'aggregate: Supplier\nstate: { name: string }\nevents:\n  SupplierRegistered:\n    fields: { name: string }\n    apply: { name: event.name }\n');
    expect(runEsgen(['build'], dir).status).toBe(0);
    rmSync(join(dir, 'domain/supplier.esgen.yaml'));
    // Supplier was only ever built here, never released: its esgen.lock entries go with its spec
    // (deleting a released event is ESG171, test/lock/).
    writeFileSync(join(dir, 'esgen.lock'), readFileSync(join(ordersExample, 'esgen.lock'), 'utf8'));
    const result = runEsgen(['build'], dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/removed src\/generated\/supplier\/supplier\.base\.ts/);
    expect(result.stdout).toContain('note    src/domain/supplier.ts is yours and was kept, but its spec is gone: it imports src/generated/supplier/');
    expect(result.stdout).toContain('Delete it (it no longer compiles), or restore the spec.');
    expect(result.stdout).not.toContain('src/domain/order.ts is yours');
    expect(readFileSync(join(dir, 'src/domain/supplier.ts'), 'utf8')).toContain('class Supplier'); // never deleted
  });

});

describe('esgen check', () => {
  it('exits 0 when the committed output is up to date', () => {
    const result = runEsgen(['check'], copy(ordersExample));
    expect(result.stdout, result.stderr).toMatch(/generated code is up to date/);
    expect(result.status).toBe(0);
  });

  it('exits 2 after a spec edit without a rebuild, listing stale files with a diff, and 0 after esgen build', () => {
    const dir = copy(ordersExample);
    editOrderSpec(dir);
    const before = mtimes(join(dir, 'src'));
    const stale = runEsgen(['check'], dir);
    expect(stale.status).toBe(2);
    expect(stale.stdout).toMatch(/stale\s+src\/generated\/order\/events\.ts/);
    expect(stale.stdout).toMatch(/stale\s+src\/generated\/order\/registry\.ts/);
    expect(stale.stdout).toContain('+++ order/events.ts (esgen build)');
    expect(stale.stdout).toMatch(/^\+\s+readonly note\?: string;$/m);
    expect(mtimes(join(dir, 'src'))).toEqual(before); // check writes nothing

    const rebuilt = runEsgen(['build'], dir);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    const fresh = runEsgen(['check'], dir);
    expect(fresh.stdout, fresh.stderr).toMatch(/up to date/);
    expect(fresh.status).toBe(0);
  });

  it('exits 1 on invalid specs', () => {
    const dir = copy(ordersExample);
    writeFileSync(join(dir, 'domain/order.esgen.yaml'), 'aggregate: Order\nevents:\n  OrderPaid:\n    fields: { paidAmount: nope }\n');
    const result = runEsgen(['check'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/domain\/order\.esgen\.yaml:4:\d+ error ESG\d+/);
  });
});
