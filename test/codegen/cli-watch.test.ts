/**
 * `esgen watch` as a real child process on a copy of the orders example.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, esgenBin, repoRoot } from './codegen-support.js';

class WatchProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(cwd: string) {
    this.#child = spawn(process.execPath, [esgenBin, 'watch'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    const notify = () => this.#waiters.splice(0).forEach((wake) => wake());
    this.#child.stdout.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      notify();
    });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      notify();
    });
    this.exited = new Promise((resolve) =>
      this.#child.on('exit', (code) => {
        this.exitCode = code;
        notify();
        resolve(code);
      }),
    );
  }

  /** Waits until stdout has `count` matches of the pattern. */
  async waitFor(pattern: RegExp, count = 1, timeoutMs = 20_000): Promise<void> {
    const global = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
    const deadline = Date.now() + timeoutMs;
    while ((this.stdout.match(global)?.length ?? 0) < count) {
      if (this.exitCode !== null) throw new Error(`esgen watch exited (${this.exitCode}):\n${this.stdout}\n${this.stderr}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${pattern} ×${count}:\n${this.stdout}\n${this.stderr}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  stop(): Promise<number | null> {
    this.#child.kill('SIGTERM');
    return this.exited;
  }
}

const project = copyProject(join(repoRoot, 'examples/orders'));
const spec = join(project.dir, 'domain/order.esgen.yaml');
const events = join(project.dir, 'src/generated/order/events.ts');
let watch: WatchProcess;

beforeAll(async () => {
  // The edits below change OrderPaid, whose v1 the example's esgen.lock has locked: work on it as
  // a draft (unlocked), the way a branch would. test/lock/ covers the lock's rules.
  rmSync(join(project.dir, 'esgen.lock'));
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('  OrderPaid:\n', '  OrderPaid:\n    draft: true\n'));
  watch = new WatchProcess(project.dir);
  await watch.waitFor(/watching for changes/);
});
afterAll(async () => {
  if (watch.exitCode === null) await watch.stop();
  project.dispose();
});

function replaceInSpec(from: string, to: string): void {
  const text = readFileSync(spec, 'utf8');
  expect(text).toContain(from);
  writeFileSync(spec, text.replace(from, to));
}

const rebuilt = /rebuilt in \d+ ms after domain\/order\.esgen\.yaml changed/;

describe('esgen watch', () => {
  it('rebuilds after a spec edit, re-emitting the changed aggregate', async () => {
    replaceInSpec('fields: { paymentId: string, paidAmount: number }', 'fields: { paymentId: string, paidAmount: number, note: string? }');
    await watch.waitFor(rebuilt);
    expect(watch.stdout).toMatch(/rebuilt in \d+ ms after domain\/order\.esgen\.yaml changed: 1\/2 aggregates emitted, 3 files written/);
    expect(readFileSync(events, 'utf8')).toContain('readonly note?: string;');
  });

  it('prints diagnostics for a broken spec, stays alive and keeps the last good output', async () => {
    const goodOutput = readFileSync(events, 'utf8');
    replaceInSpec('apply: { status: paid }', 'apply: { statut: paid }');
    await watch.waitFor(/build failed after domain\/order\.esgen\.yaml changed: 1 error; the last good output is kept/);
    expect(watch.stderr).toMatch(/domain\/order\.esgen\.yaml:\d+:\d+ error ESG\d+ `statut` is not a field/);
    expect(watch.exitCode).toBeNull();
    expect(readFileSync(events, 'utf8')).toBe(goodOutput);
  });

  it('rebuilds once the spec is fixed, saying so', async () => {
    const fixed = readFileSync(spec, 'utf8').replace('apply: { statut: paid }', 'apply: { status: paid }').replace('note: string?', 'note: string?, memo: string?');
    writeFileSync(spec, fixed);
    await watch.waitFor(/specs are valid again; rebuilt in \d+ ms/);
    expect(readFileSync(events, 'utf8')).toContain('readonly memo?: string;');
  });

  it('rebuilds when the config changes, and never because of its own output', async () => {
    const before = watch.stdout.match(/rebuilt in/g)?.length ?? 0;
    const config = join(project.dir, 'esgen.config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}# touched\n`);
    await watch.waitFor(/rebuilt in \d+ ms after esgen\.config\.yaml changed: 0\/2 aggregates emitted, 0 files written/);
    // Writing generated files triggered nothing more.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(watch.stdout.match(/rebuilt in/g)?.length).toBe(before + 1);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await watch.stop()).toBe(0);
  });
});
