/**
 * The worked example of docs/schema-evolution.md is true: each version of its spec loads, keeps
 * what the previous one locked, and the lock entries and diagnostics it shows are the real ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DomainIR } from '../../generator/ir/types.js';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import { compareWithLock, draftDiagnostics } from '../../generator/lock/compare-lock.js';
import { parseLock, renderLock } from '../../generator/lock/lock-file.js';
import { parseLockText } from '../../generator/lock/lock-text.js';
import { repoRoot } from '../codegen/codegen-support.js';

const docs = readFileSync(join(repoRoot, 'docs/schema-evolution.md'), 'utf8');
const file = 'domain/customer.esgen.yaml';

function example(name: string): string {
  const match = new RegExp(`<!-- example:${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(docs);
  if (!match) throw new Error(`docs/schema-evolution.md has no example ${name}`);
  return match[1]!;
}

function load(text: string): DomainIR {
  const result = loadDomainFromSources(new Map([[file, text]]));
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`).join('\n'));
  return result.ir;
}

function lockAfter(text: string, previous?: string): string {
  return renderLock(load(text).aggregates, previous === undefined ? undefined : parseLock(parseLockText('esgen.lock', previous)).lock);
}

function problems(text: string, lock: string): string[] {
  return compareWithLock(load(text), { lock: parseLock(parseLockText('esgen.lock', lock)).lock, file: 'esgen.lock' }).map((d) => `${d.file}:${d.line}:${d.column} error ${d.code} ${d.message}`);
}

describe('the worked example of docs/schema-evolution.md', () => {
  const v1 = example('v1');
  const lock1 = lockAfter(v1);

  it('shows the lock entry version 1 really gets', () => {
    const entry = /```yaml\nevents:\n(  CustomerRegistered v1:\n[\s\S]*?)```/.exec(docs)![1]!;
    expect(lock1).toContain(entry);
  });

  it('shows the real diagnostic for the in-place rename', () => {
    const renamed = v1.replace('{ name: string,', '{ fullName: string,');
    expect(problems(renamed, lock1)).toEqual(['domain/customer.esgen.yaml:6:15 error ESG170 CustomerRegistered v1 is published and cannot change: field `name` was renamed to `fullName`']);
    expect(docs).toContain(problems(renamed, lock1)[0]);
  });

  it('goes to version 3 through a draft, each step keeping what was locked', () => {
    const v2 = example('v2');
    expect(problems(v2, lock1)).toEqual([]);
    const lock2 = lockAfter(v2, lock1);
    expect(lock2.startsWith(lock1.slice(0, lock1.indexOf('readModels:')).trimEnd())).toBe(true);

    const draft = example('v3-draft');
    expect(problems(draft, lock2)).toEqual([]);
    expect(lockAfter(draft, lock2)).not.toContain('CustomerRegistered v3');
    const strict = draftDiagnostics(load(draft)).map((d) => `${d.file}:${d.line}:${d.column} error ${d.code} ${d.message}`);
    expect(strict).toEqual(['domain/customer.esgen.yaml:5:3 error ESG174 CustomerRegistered v3 is a draft: a release locks every version']);
    expect(docs).toContain(strict[0]);

    const v3 = draft.replace(/ {4}draft: true.*\n/, '');
    expect(problems(v3, lock2)).toEqual([]);
    expect(lockAfter(v3, lock2)).toContain('  CustomerRegistered v3:\n');

    const incomplete = loadDomainFromSources(new Map([[file, draft.replace('upcast: { remove: [fax] }', 'upcast: { remove: [email] }')]]));
    expect(incomplete.ok).toBe(false);
    for (const d of incomplete.diagnostics) expect(docs).toContain(`${d.file}:${d.line}:${d.column} error ${d.code} ${d.message}`);
    expect(incomplete.diagnostics).toHaveLength(2);
  });
});
