/** `esgen docs` through the real binary, on throwaway copies of the orders example. */
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyProject, mtimes, repoRoot, runEsgen } from '../codegen/codegen-support.js';

const copies: { dispose(): void }[] = [];
function copy(): string {
  const project = copyProject(join(repoRoot, 'examples/orders'));
  copies.push(project);
  return project.dir;
}
afterEach(() => copies.splice(0).forEach((project) => project.dispose()));

describe('esgen docs', () => {
  it('--check exits 0 on the committed catalogue, 2 after a spec edit (writing nothing), and 0 again after esgen docs', () => {
    const dir = copy();
    const fresh = runEsgen(['docs', '--check'], dir);
    expect(fresh.stdout, fresh.stderr).toBe('esgen docs: 0 written, 11 unchanged, 0 removed (pages in docs/domain)\n');
    expect(fresh.status).toBe(0);

    const spec = join(dir, 'domain/order.esgen.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('  OrderDelivered:', '  OrderArchived: {}\n  OrderDelivered:'));
    const before = mtimes(join(dir, 'docs'));
    const stale = runEsgen(['docs', '--check'], dir);
    expect(stale.status).toBe(2);
    expect(stale.stdout).toContain('the catalogue in docs/domain is out of date; run `esgen docs` and commit the result.');
    expect(stale.stdout).toMatch(/stale\s+docs\/domain\/events\/order-archived\.md/);
    expect(stale.stdout).toMatch(/stale\s+docs\/domain\/order\.md/);
    expect(mtimes(join(dir, 'docs'))).toEqual(before);

    const written = runEsgen(['docs'], dir);
    expect(written.status, written.stderr).toBe(0);
    expect(readFileSync(join(dir, 'docs/domain/events/order-archived.md'), 'utf8')).toContain('# OrderArchived');
    expect(runEsgen(['docs', '--check'], dir).status).toBe(0);
  });

  it('removes the page of a deleted event, and never touches a Markdown file of the user', () => {
    const dir = copy();
    const spec = join(dir, 'domain/order.esgen.yaml');
    writeFileSync(join(dir, 'docs/domain/notes.md'), '# My notes\n');
    // OrderShipped gone from the spec (and from the read model that lists it).
    const text = readFileSync(spec, 'utf8');
    const edited = text
      .split('\n')
      .filter((line) => !/OrderShipped|trackingNumber/.test(line))
      .join('\n');
    writeFileSync(spec, edited);
    const result = runEsgen(['docs'], dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/removed docs\/domain\/events\/order-shipped\.md/);
    expect(existsSync(join(dir, 'docs/domain/events/order-shipped.md'))).toBe(false);
    expect(readFileSync(join(dir, 'docs/domain/notes.md'), 'utf8')).toBe('# My notes\n');

    writeFileSync(join(dir, 'docs/domain/order.md'), '# Written by hand\n');
    const refused = runEsgen(['docs'], dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^esgen: Unable to write generated code: .*docs\/domain\/order\.md exists and was not written by esgen docs/);
    expect(readFileSync(join(dir, 'docs/domain/order.md'), 'utf8')).toBe('# Written by hand\n');
  });

  it('exits 1 with located diagnostics on an invalid spec', () => {
    const dir = copy();
    writeFileSync(join(dir, 'domain/order.esgen.yaml'), 'aggregate: Order\nevents:\n  OrderPaid:\n    fields: { paidAmount: nope }\n');
    rmSync(join(dir, 'docs'), { recursive: true });
    const result = runEsgen(['docs'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/domain\/order\.esgen\.yaml:4:\d+ error ESG\d+/);
    expect(existsSync(join(dir, 'docs'))).toBe(false);
  });
});
