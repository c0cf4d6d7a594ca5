/**
 * `esgen build`, `check` and `watch` take the options every project command documents
 * (`--cwd`, `-c/--config`, `--no-color`) and show diagnostics relative to the cwd, as `validate`
 * does. Run as the real binary (`node bin/esgen.js`) against dist/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');

function esgen(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('esgen build, check and watch options', () => {
  let project: string;
  let elsewhere: string;
  const spec = () => join(project, 'domain/order.esgen.yaml');

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'esgen-project-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'esgen-elsewhere-'));
    cpSync(join(root, 'examples/orders/domain'), join(project, 'domain'), { recursive: true });
    cpSync(join(root, 'examples/orders/src/domain'), join(project, 'src/domain'), { recursive: true });
    cpSync(join(root, 'examples/orders/esgen.config.yaml'), join(project, 'esgen.config.yaml'));
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('builds and checks the project given by --cwd, from another folder, with --no-color', () => {
    const build = esgen(['build', '--cwd', project, '--no-color'], elsewhere);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(build.stdout).toMatch(/wrote {3}src\/generated\/order\/order\.base\.ts\n/);
    expect(existsSync(join(project, 'src/generated/order/order.base.ts'))).toBe(true);
    expect(existsSync(join(elsewhere, 'src'))).toBe(false);

    const check = esgen(['check', '--cwd', project, '--no-color'], elsewhere);
    expect(check.stdout).toMatch(/^esgen check: generated code is up to date/);
    expect(check.status).toBe(0);
  });

  it('reports drift with exit 2 after a spec edit, and spec errors at paths relative to the cwd with exit 1', () => {
    const original = readFileSync(spec(), 'utf8');
    try {
      writeFileSync(spec(), original.replace('  OrderPaid:\n', '  OrderArchived: {}\n  OrderPaid:\n'));
      const drift = esgen(['check', '-c', join(project, 'esgen.config.yaml')], elsewhere);
      expect(drift.status).toBe(2);
      expect(drift.stdout).toContain('stale');
      expect(drift.stdout).toContain('OrderArchived');

      writeFileSync(spec(), original.replace('type: OrderStatus', 'type: OrderStatsu'));
      // From the project's parent, a diagnostic names the spec as <project>/domain/…: a path a terminal can open.
      const build = esgen(['build', '--config', `${basename(project)}/esgen.config.yaml`, '--no-color'], dirname(project));
      expect(build.status).toBe(1);
      expect(build.stderr).toMatch(new RegExp(`^${basename(project)}/domain/order\\.esgen\\.yaml:\\d+:\\d+ error ESG135 unknown type \`OrderStatsu\``, 'm'));
      expect(build.stderr).toContain('hint: did you mean `OrderStatus`?');
    } finally {
      writeFileSync(spec(), original);
    }
  });

  it('watches the project given by --cwd and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'watch', '--cwd', project, '--no-color'], { cwd: elsewhere, env: { ...process.env, NO_COLOR: '' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!output.includes('watching for changes') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(output).toMatch(/built in \d+ ms/);
    expect(output).toContain('esgen watch: watching for changes');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
