/**
 * The spec checks and the generated validators agree on every scalar: a constant `esgen validate`
 * accepts (a default, an apply or mapping constant, an upcast `add`) is one the generated
 * validators accept, and the other way round. Both read the runtime's check of each scalar
 * (runtime/codegen/checks.ts); this test holds them to it on edge values and random ones, and
 * through the whole loader on the cases that used to disagree.
 */
import { describe, expect, it } from 'vitest';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import type { AggregateDef, JsonValue, PrimitiveName, TypeRef } from '../../generator/ir/types.js';
import { constantMismatch } from '../../generator/validate/type-rules.js';
import { check, validateWith, type Check } from '../../runtime/codegen/checks.js';
import { unstorableStrings } from '../property/hostile-values.js';
import { randomDate, randomDateTime, randomInteger, randomNumber, randomString, randomUuid } from '../property/random-values.js';
import { createRandom } from '../property/seeded-random.js';

const noTypes = { types: [] } as unknown as AggregateDef;
const primitive = (name: PrimitiveName): TypeRef => ({ kind: 'primitive', name });

const edges: readonly JsonValue[] = [
  '', 'text', '2024-02-29', '2023-02-29', '2023-02-31', '0000-01-01', '0001-01-01', '9999-12-31', '2024-13-01', '2024-1-01',
  '2024-01-31T12:00:00Z', '2024-01-31T12:00Z', '2024-01-31T12:00:00', '2024-01-31T24:00:00Z', '2024-01-31T12:00:60Z', '2024-01-31T12:00:00.123+05:30',
  '2024-01-31 12:00:00z', '0001-01-01T00:00:00Z', '2023-02-31T00:00:00Z', '3f2504e0-4f89-11d3-9a0c-0305e82c3301', '3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'not-a-uuid',
  0, -0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e300, Number.MAX_VALUE, Infinity, -Infinity, NaN,
  true, false, null, [], [null], [1, 'a', null], {}, { a: null }, { '': [] }, ...unstorableStrings, ['ok', 'a\u0000b'], { 'a\u0000b': 1 }, { k: 'x\ud800' },
];

function randomScalars(seed: number): JsonValue[] {
  const random = createRandom(seed);
  return Array.from({ length: 40 }, () =>
    random.pick([
      () => randomString(random, 'payload'),
      () => randomInteger(random),
      () => randomNumber(random),
      () => randomUuid(random, 'payload'),
      () => randomDate(random, 'payload'),
      () => randomDateTime(random, 'payload'),
    ])(),
  );
}

const scalars: readonly PrimitiveName[] = ['string', 'integer', 'number', 'boolean', 'uuid', 'date', 'datetime', 'json'];

/** Whether a spec constant fits a required field of `type` (null is the caller's rule: it fits json only). */
function checkerAccepts(value: JsonValue, type: TypeRef): boolean {
  if (value === null) return type.kind === 'primitive' && type.name === 'json';
  return constantMismatch(noTypes, value, type) === undefined;
}

describe('the spec checks and the generated validators agree', () => {
  const values = [...edges, ...[1, 2, 3, 4, 5].flatMap(randomScalars)];

  it.each(scalars)('on every %s value, also in lists and maps', (name) => {
    const runtimeCheck = check[name] as Check;
    const disagreements: string[] = [];
    for (const value of values) {
      const shapes: [TypeRef, Check, JsonValue][] = [
        [primitive(name), runtimeCheck, value],
        [{ kind: 'array', element: primitive(name) }, check.array(runtimeCheck), [value]],
        [{ kind: 'map', value: primitive(name) }, check.map(runtimeCheck), { key: value }],
      ];
      for (const [type, validator, constant] of shapes) {
        const checker = checkerAccepts(constant, type);
        const validators = validateWith(validator, constant).ok;
        if (checker !== validators) disagreements.push(`${JSON.stringify(constant)} as ${JSON.stringify(type)}: checker ${checker}, validators ${validators}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('refuses, through the loader, the constants the validators refuse, and accepts json nulls', () => {
    const spec = (field: string) => `aggregate: Thing\nstate:\n  ${field}\nevents:\n  ThingMade: {}\n`;
    const codes = (field: string) => loadDomainFromSources(new Map([['thing.esgen.yaml', spec(field)]])).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(codes("due: { type: date, default: '2023-02-31' }")).toEqual([expect.stringMatching(/^ESG143 .*"2023-02-31" is not a date \(expected a real calendar date/)]);
    expect(codes("at: { type: datetime, default: '2024-01-31T12:00Z' }")).toEqual([expect.stringMatching(/^ESG143 .*is not a datetime \(expected an ISO 8601 timestamp with seconds/)]);
    expect(codes('count: { type: integer, default: 9007199254740993 }')).toEqual([expect.stringMatching(/^ESG143 .*is not an integer \(expected a whole number from/)]);
    expect(codes("at: { type: datetime, default: '2024-01-31T12:00:00Z' }")).toEqual([]);
    expect(codes('count: { type: integer, default: 9007199254740991 }')).toEqual([]);
    expect(codes("extra: { type: 'json[]', default: [null] }")).toEqual([]);
    expect(codes("extra: { type: 'map<json>', default: { a: null } }")).toEqual([]);
    expect(codes('extra: { type: json, default: null }')).toEqual([]);
    expect(codes("names: { type: 'string[]', default: [null] }")).toEqual([expect.stringMatching(/^ESG143 .*null is not a string/)]);
  });
});
