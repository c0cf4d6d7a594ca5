/**
 * Between versions, a declarative upcast passes a field through when every stored value of the
 * old type is a value of the new one (backward compatibility, as schema registries classify it):
 * a value type renamed, `integer` → `number`, an enum widened. An enum narrowed or a type
 * changed needs `upcast: custom` (ESG142). The generated step compiles for what is accepted.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import { runEsgen, runTsc, strictTsconfig } from '../codegen/codegen-support.js';

const spec = (v1: string, v2: string, types = '') => `aggregate: Account
types:
  Status: { enum: [open, closed] }
  OldStatus: { enum: [open] }
  WideStatus: { enum: [open, closed, frozen] }
  Money: { amount: integer, currency: string }
  Amount: { currency: string, amount: integer }
${types}events:
  AccountOpened:
    version: 2
    fields: { ${v2} }
    history:
      1:
        fields: { ${v1} }
        upcast: { remove: [] }
`;

function problems(text: string): string[] {
  const result = loadDomainFromSources(new Map([['account.esgen.yaml', text]]));
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
}

describe('a declarative upcast passing a field through', () => {
  const cases: [string, { v1: string; v2: string; want: string[] }][] = [
    ['a renamed value type of the same shape', { v1: 'balance: Money', v2: 'balance: Amount', want: [] }],
    ['integer widened to number', { v1: 'limit: integer', v2: 'limit: number', want: [] }],
    ['an enum widened', { v1: 'status: OldStatus', v2: 'status: WideStatus', want: [] }],
    ['an enum read as a string', { v1: 'status: Status', v2: 'status: string', want: [] }],
    ['a list of a widened enum', { v1: 'history: [OldStatus]', v2: 'history: [Status]', want: [] }],
    [
      'an enum narrowed',
      { v1: 'status: WideStatus', v2: 'status: Status', want: ['ESG142 `status` is WideStatus in version 1 but Status in version 2 (values `frozen` of version 1 are not values of version 2); a declarative upcast cannot convert it'] },
    ],
    ['number narrowed to integer', { v1: 'limit: number', v2: 'limit: integer', want: ['ESG142 `limit` is number in version 1 but integer in version 2; a declarative upcast cannot convert it'] }],
    ['a string read as an enum', { v1: 'status: string', v2: 'status: Status', want: ['ESG142 `status` is string in version 1 but Status in version 2; a declarative upcast cannot convert it'] }],
  ];
  for (const [name, { v1, v2, want }] of cases) {
    it(`${want.length === 0 ? 'accepts' : 'refuses'} ${name}`, () => {
      expect(problems(spec(v1, v2))).toEqual(want);
    });
  }

  const base = mkdtempSync(join(tmpdir(), 'esgen-upcast-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('generates steps the compiler accepts for every accepted case', () => {
    const dir = join(base, 'project');
    mkdirSync(join(dir, 'domain'), { recursive: true });
    // Type-checked as ES modules, like the package itself.
    writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'esgen.config.yaml'), 'specs: domain/**/*.esgen.yaml\noutput: src/generated\nsource: src/domain\n');
    writeFileSync(join(dir, 'domain/account.esgen.yaml'), spec('balance: Money, limit: integer, status: OldStatus, label: Status, history: [OldStatus]', 'balance: Amount, limit: number, status: WideStatus, label: string, history: [Status]'));
    const build = runEsgen(['build'], dir);
    expect(build.status, build.stderr).toBe(0);
    const tsc = runTsc(['-p', strictTsconfig(dir, [join(dir, 'src/**/*.ts')])], dir);
    expect(tsc.output).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);
});
