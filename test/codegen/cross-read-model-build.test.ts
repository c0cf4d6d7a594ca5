/**
 * A read-model file through the real CLI: a read model across two aggregates with a custom mapper
 * builds, scaffolds its user-owned mappers file once (payload types from both aggregates' events
 * files), records the read model in esgen.lock with the aggregates it reads, and the output plus
 * the scaffold compile under tsc --strict.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runEsgen, runTscAsync, strictTsconfig } from './codegen-support.js';

const scratch = mkdtempSync(join(tmpdir(), 'esgen-cross-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const files: Record<string, string> = {
  'esgen.config.yaml': 'specs: domain/*.esgen.yaml\n',
  'domain/member.esgen.yaml': `aggregate: Member
id: uuid
state: { name: string }
events:
  MemberJoined:
    fields: { name: string }
    apply: { name: event.name }
`,
  'domain/loan.esgen.yaml': `aggregate: Loan
state: { memberId: string }
events:
  BookLent:
    fields: { memberId: uuid, title: string, due: date }
    apply: { memberId: event.memberId }
  BookReturned:
    fields: { memberId: uuid }
`,
  'domain/library.esgen.yaml': `description: Read models across members and loans.
readModels:
  MemberLoans:
    projection: member_loans
    mode: inline
    key: { MemberJoined: $aggregateId, BookLent: memberId, BookReturned: memberId }
    fields:
      name: { type: string?, from: MemberJoined.name }
      titles: { type: "string[]", default: [], on: { BookLent: { append: title } } }
      lent: { type: integer, default: 0, on: { BookLent: { increment: 1 } } }
    custom: [BookReturned]
`,
};

describe('a read-model file', () => {
  it('builds a read model across aggregates with its custom mappers file, locks it, and compiles under tsc --strict', async () => {
    const dir = join(scratch, 'library');
    for (const [file, text] of Object.entries({ ...files, 'package.json': '{ "type": "module" }\n' })) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    const built = runEsgen(['build'], dir);
    expect(built.status, `${built.stdout}${built.stderr}`).toBe(0);
    expect(built.stdout).toContain('created src/domain/member-loans.mappers.ts');

    const generated = readFileSync(join(dir, 'src/generated/read-models/member-loans.ts'), 'utf8');
    expect(generated).toContain("import type { LoanEvents } from '../loan/events.js';");
    expect(generated).toContain("import type { MemberEvents } from '../member/events.js';");
    expect(generated).toContain('defineReadModel<MemberLoansRow, LoanEvents & MemberEvents, never>({');
    expect(generated).toContain("aggregateTypes: ['Loan', 'Member']");
    expect(generated).toContain("import { mapMemberLoansOnBookReturned } from '../../domain/member-loans.mappers.js';");
    expect(readFileSync(join(dir, 'src/generated/registry.ts'), 'utf8')).toContain('defineRegistry([loanAggregate, memberAggregate], [memberLoansReadModel])');

    const mappers = readFileSync(join(dir, 'src/domain/member-loans.mappers.ts'), 'utf8');
    expect(mappers).toContain("import type { BookReturned } from '../generated/loan/events.js';");
    expect(mappers).toContain('export function mapMemberLoansOnBookReturned(');

    const lock = readFileSync(join(dir, 'esgen.lock'), 'utf8');
    expect(lock).toMatch(/ {2}MemberLoans:\n {4}fingerprint: \S+\n {4}aggregates:\n {6}- Loan\n {6}- Member\n/);

    // The user writes the mapper; the next build keeps it.
    writeFileSync(join(dir, 'src/domain/member-loans.mappers.ts'), mappers.replace(/throw new Error\([^;]*\);/, "return { kind: 'upsert', row: { ...next, lent: next.lent - 1 } };").replace('event: EventEnvelope', '_event: EventEnvelope').replace('current: MemberLoansRow', '_current: MemberLoansRow'));
    expect(runEsgen(['build'], dir).stdout).toMatch(/user files: 0 created, 3 kept/);
    const tsconfig = strictTsconfig(mkdtempSync(join(scratch, 'tsc-')), [join(dir, 'src/**/*.ts')], {});
    const checked = await runTscAsync(['-p', tsconfig], repoRoot);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  }, 120_000);
});
