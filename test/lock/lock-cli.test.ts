/**
 * esgen.lock through the real binary (`node bin/esgen.js`, dist/ compiled by the global setup), in
 * a git repository the test creates: `esgen build` refuses a breaking change, `esgen check
 * --against <ref>` catches a locked entry edited in both the spec and the lock, `--format github`
 * prints workflow commands, `--strict` refuses drafts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, repoRoot, runEsgen } from '../codegen/codegen-support.js';

const project = copyProject(join(repoRoot, 'examples/orders'));
const dir = project.dir;
const spec = join(dir, 'domain/order.esgen.yaml');
const lockPath = join(dir, 'esgen.lock');
const original = readFileSync(spec, 'utf8');
const paid = 'fields: { paymentId: string, paidAmount: number }';
const paidWithNote = 'fields: { paymentId: string, paidAmount: number, note: string? }';

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=esgen test', '-c', 'user.email=test@esgen.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

beforeAll(() => {
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'orders with its lock');
});
afterAll(() => project.dispose());

describe('esgen build with esgen.lock', () => {
  it('refuses a change to a locked version, located in the spec, and writes nothing', () => {
    const lockBefore = readFileSync(lockPath, 'utf8');
    writeFileSync(spec, original.replace(paid, paidWithNote));
    try {
      const result = runEsgen(['build', '--no-color'], dir);
      expect(result.status).toBe(1);
      const line = lineOf(original, paid);
      expect(result.stderr).toMatch(new RegExp(`^domain/order\\.esgen\\.yaml:${line}:\\d+ error ESG170 OrderPaid v1 is published and cannot change: optional field \`note\` was added$`, 'm'));
      expect(result.stderr).toContain('hint: Add version 2 with an upcast from 1');
      expect(result.stderr).toContain('esgen build: nothing was written');
      expect(readFileSync(lockPath, 'utf8')).toBe(lockBefore);
    } finally {
      writeFileSync(spec, original);
    }
  });
});

describe('esgen validate --format github', () => {
  it('prints spec errors as annotations too', () => {
    writeFileSync(spec, original.replace('type: OrderStatus', 'type: OrderStatsu'));
    try {
      const result = runEsgen(['validate', '--format', 'github'], dir);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/^::error file=domain\/order\.esgen\.yaml,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=ESG135::unknown type `OrderStatsu`%0Ahint: did you mean `OrderStatus`\?\n$/);
    } finally {
      writeFileSync(spec, original);
    }
  });
});

describe('esgen check --strict', () => {
  it('passes a draft event without --strict and fails on it with --strict', () => {
    writeFileSync(spec, original.replace('  OrderPaid:\n', '  OrderRefunded:\n    draft: true\n    fields: { amount: number }\n  OrderPaid:\n'));
    try {
      expect(runEsgen(['build'], dir).status).toBe(0);
      expect(readFileSync(lockPath, 'utf8')).not.toContain('OrderRefunded');
      const relaxed = runEsgen(['check'], dir);
      expect(relaxed.status, relaxed.stdout + relaxed.stderr).toBe(0);
      const strict = runEsgen(['check', '--strict', '--no-color'], dir);
      expect(strict.status).toBe(1);
      expect(strict.stderr).toMatch(/^domain\/order\.esgen\.yaml:\d+:3 error ESG174 OrderRefunded v1 is a draft: a release locks every version$/m);
    } finally {
      writeFileSync(spec, original);
      git('checkout', '-q', '--', '.');
      expect(runEsgen(['build'], dir).status).toBe(0);
      expect(git('status', '--porcelain')).toBe('');
    }
  });
});

describe('esgen check --against <ref>', () => {
  beforeAll(() => {
    // The change a reviewer must catch: OrderPaid v1 edited, and its lock entry "updated" to match.
    writeFileSync(spec, original.replace(paid, paidWithNote));
    const lock = readFileSync(lockPath, 'utf8');
    writeFileSync(lockPath, lock.replace(/^ {2}OrderPaid v1:\n(?: {4}.*\n)+/m, ''));
    const build = runEsgen(['build'], dir);
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toContain('  locked  OrderPaid v1 (esgen.lock)');
    git('commit', '-q', '-am', 'edit a published event, lock included');
  });

  it('is what catches it: the spec and the edited lock agree with each other', () => {
    const result = runEsgen(['check'], dir);
    expect(result.status, result.stderr).toBe(0);
  });

  it('reports the spec change and the lock edit against the lock of HEAD~1, exit 1', () => {
    const result = runEsgen(['check', '--against', 'HEAD~1', '--no-color'], dir);
    expect(result.status).toBe(1);
    const specLine = lineOf(readFileSync(spec, 'utf8'), paidWithNote);
    const lockLine = lineOf(readFileSync(lockPath, 'utf8'), 'OrderPaid v1:');
    expect(result.stderr).toMatch(new RegExp(`^domain/order\\.esgen\\.yaml:${specLine}:\\d+ error ESG170 OrderPaid v1 is published \\(locked at HEAD~1\\) and cannot change: optional field \`note\` was added$`, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^esgen\\.lock:${lockLine}:3 error ESG176 OrderPaid v1 is locked at HEAD~1, and esgen\\.lock was edited: optional field \`note\` was added$`, 'm'));
  });

  it('prints GitHub Actions annotations with --format github', () => {
    const result = runEsgen(['check', '--against', 'HEAD~1', '--format', 'github'], dir);
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^::error file=[^,:]+,line=\d+,col=\d+(,endLine=\d+,endColumn=\d+)?,title=ESG\d{3}::[^\n]+$/);
    expect(lines[0]).toMatch(/^::error file=domain\/order\.esgen\.yaml,line=\d+,col=\d+.*,title=ESG170::OrderPaid v1 is published \(locked at HEAD~1\) and cannot change: optional field `note` was added%0Ahint: Add version 2/);
    expect(lines[1]).toMatch(/^::error file=esgen\.lock,line=\d+,col=3.*,title=ESG176::/);
  });

  it('prints the same diagnostics as JSON with --format json', () => {
    const result = runEsgen(['check', '--against', 'HEAD~1', '--format', 'json'], dir);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; upToDate: boolean; diagnostics: { code: string; file: string }[] };
    expect(report.ok).toBe(false);
    expect(report.upToDate).toBe(false);
    expect(report.diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(['ESG170 domain/order.esgen.yaml', 'ESG176 esgen.lock']);
  });

  it('passes against the ref itself, and names a ref that does not exist (ESG010)', () => {
    expect(runEsgen(['check', '--against', 'HEAD'], dir).status).toBe(0);
    const missing = runEsgen(['check', '--against', 'no-such-branch', '--no-color'], dir);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^esgen\.lock:1:1 error ESG010 cannot read esgen\.lock at git ref `no-such-branch`/m);
  });

  it('warns, without failing, about a read model that changed since the ref (ESG177)', () => {
    const text = readFileSync(spec, 'utf8');
    // A mode switch changes the read model's fingerprint (an index flag alone does not: it changes no row).
    const from = '    projection: order_list\n';
    expect(text).toContain(from);
    writeFileSync(spec, text.replace(from, `${from}    mode: inline\n`));
    expect(runEsgen(['build'], dir).status).toBe(0);
    git('commit', '-q', '-am', 'make OrderList inline');
    const result = runEsgen(['check', '--against', 'HEAD~1', '--no-color'], dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^domain\/order\.esgen\.yaml:\d+:\d+ warning ESG177 read model `OrderList` changed since HEAD~1 \(fingerprint [0-9a-f]{16} → [0-9a-f]{16}\)/m);
    const github = runEsgen(['check', '--against', 'HEAD~1', '--format', 'github'], dir);
    expect(github.status).toBe(0);
    expect(github.stdout).toMatch(/^::warning file=domain\/order\.esgen\.yaml,line=\d+,col=\d+,title=ESG177::read model `OrderList` changed/m);
  });
});
