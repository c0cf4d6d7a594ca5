/**
 * An application and the CLI share an embedded PGlite folder (`.esgen/pgdata` by default), so:
 * createEventSourcing creates the folder's parents as the CLI does, and a folder PGlite cannot
 * open (in use by another process, or damaged) is explained instead of surfacing PGlite's bare
 * "Aborted(). Build with -sASSERTIONS for more info.". The CLI runs as the real binary.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSourcing } from '../../runtime/event-sourcing.js';
import { Order } from '../../examples/orders/src/domain/order.js';
import { registry } from '../../examples/orders/src/generated/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const ordersRegistry = join(root, 'examples/orders/src/generated/registry.ts');
const stackLine = /^\s+at .+:\d+:\d+\)?$/m;
const explanation = /^esgen: ESG216 Could not open the PGlite data folder (\S+) \(PGlite aborted\)\. Most often another process has it open .* If no other process uses it, the folder is damaged/;

async function esgen(args: string[], cwd: string) {
  const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('an embedded PGlite data folder', () => {
  let dir: string;
  let dataDir: string;
  let damaged: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-pglite-folder-'));
    dataDir = join(dir, 'app/.esgen/pgdata');
    damaged = join(dir, 'damaged');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created with its parent folders by createEventSourcing, and keeps the events across opens', async () => {
    expect(existsSync(join(dir, 'app'))).toBe(false);
    const first = await createEventSourcing({ registry, dataDir });
    try {
      const order = first.repository(Order).create('order-1');
      order.place({ userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 1, unitPrice: 5 }] });
      await first.repository(Order).save(order);
    } finally {
      await first.close();
    }
    const second = await createEventSourcing({ registry, dataDir });
    try {
      const loaded = await second.repository(Order).load('order-1');
      expect(loaded.state.userId).toBe('alice');
      expect(loaded.version).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('that PGlite cannot open is explained by createEventSourcing, esgen db and esgen projections, without a stack trace', async () => {
    // A damaged control file makes PGlite abort exactly as a folder in use by another process does.
    cpSync(dataDir, damaged, { recursive: true });
    writeFileSync(join(damaged, 'global/pg_control'), 'not a control file\n');

    const failure = await createEventSourcing({ registry, dataDir: damaged }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: 'ESG216', name: 'PgliteOpenFailed' });
    expect(`esgen: ESG216 ${(failure as Error).message}`).toMatch(explanation);
    expect(((failure as Error).cause as Error).message).toMatch(/^Aborted\(/);

    for (const args of [
      ['db', 'status', '--data-dir', damaged],
      ['projections', 'status', '--data-dir', damaged, '--registry', ordersRegistry],
    ]) {
      const result = await esgen(args, dir);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^esgen: ESG216 /);
      expect(result.stderr).toMatch(explanation);
      expect(explanation.exec(result.stderr)?.[1]).toBe(damaged);
      expect(result.stderr).not.toMatch(stackLine);
    }
  });

  it('is not opened by esgen projections status with an unknown --format', async () => {
    const result = await esgen(['projections', 'status', '--format', 'xml', '--data-dir', join(dir, 'never')], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('esgen: unknown format `xml`; use table or json\n');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
