/** The IR builder on in-memory specs: how each spec form is represented. */
import { describe, expect, it } from 'vitest';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import type { AggregateDef } from '../../generator/ir/types.js';

function build(yaml: string): AggregateDef {
  const result = loadDomainFromSources(new Map([['domain/spec.esgen.yaml', yaml]]));
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'));
  return result.ir.aggregates[0]!;
}

describe('loadDomainFromSources', () => {
  it('parses type expressions: lists both ways, maps, optional marks and the long form', () => {
    const aggregate = build(`aggregate: A
types:
  Item: { sku: string }
state:
  a: Item[]
  b: { type: [Item] }
  c: map<integer[]>?
  d: { type: string, optional: true, pii: true, description: the d }
  e: "string[][]"
`);
    expect(aggregate.state.map((f) => [f.name, f.type, f.optional, f.pii])).toEqual([
      ['a', { kind: 'array', element: { kind: 'named', name: 'Item' } }, false, false],
      ['b', { kind: 'array', element: { kind: 'named', name: 'Item' } }, false, false],
      ['c', { kind: 'map', value: { kind: 'array', element: { kind: 'primitive', name: 'integer' } } }, true, false],
      ['d', { kind: 'primitive', name: 'string' }, true, true],
      ['e', { kind: 'array', element: { kind: 'array', element: { kind: 'primitive', name: 'string' } } }, false, false],
    ]);
    expect(aggregate.state[3]!.description).toBe('the d');
  });

  it('reads apply values: event paths, envelope fields, plain and `{ const }` constants', () => {
    const aggregate = build(`aggregate: A
types:
  Address: { city: string }
state:
  city: string
  at: datetime
  who: json?
  label: string
  note: string
  count: integer
events:
  Moved:
    fields: { address: Address }
    apply: { city: event.address.city, at: $occurredAt, who: $eventId, label: moved, note: { const: event.x }, count: 3 }
`);
    expect(aggregate.events[0]!.apply!.map((r) => [r.target, r.value])).toEqual([
      ['city', { kind: 'event', path: ['address', 'city'] }],
      ['at', { kind: 'envelope', field: 'occurredAt' }],
      ['who', { kind: 'envelope', field: 'eventId' }],
      ['label', { kind: 'const', value: 'moved' }],
      ['note', { kind: 'const', value: 'event.x' }],
      ['count', { kind: 'const', value: 3 }],
    ]);
  });

  it('builds every version with its upcast step; declarative ops run rename, remove, add', () => {
    const aggregate = build(`aggregate: A
events:
  Happened:
    version: 3
    fields: { b: string, c: integer }
    history:
      2:
        fields: { b: string }
        upcast: { add: { c: 1 } }
      1:
        fields: { a: string, x: boolean }
        upcast: { add: { }, remove: [x], rename: { a: b } }
`);
    const event = aggregate.events[0]!;
    expect(event.version).toBe(3);
    expect(event.versions.map((v) => [v.version, v.fields.map((f) => f.name), v.upcast?.kind])).toEqual([
      [1, ['a', 'x'], 'declarative'],
      [2, ['b'], 'declarative'],
      [3, ['b', 'c'], undefined],
    ]);
    const first = event.versions[0]!.upcast;
    expect(first?.kind === 'declarative' && first.ops).toEqual([
      { kind: 'rename', from: 'a', to: 'b' },
      { kind: 'remove', field: 'x' },
    ]);
  });

  it('turns read-model fields into rules in YAML order and collects the events', () => {
    const aggregate = build(`aggregate: A
events:
  Opened: { fields: { n: number, owner: string } }
  Closed: {}
  Noted: {}
  Archived: {}
readModels:
  Stats:
    projection: stats
    key: { Opened: "owner", Closed: "$aggregateId", Noted: "$aggregateId", Archived: "$aggregateId" }
    fields:
      total: { type: number, on: { Opened: { add: n } }, from: Closed.$version }
    delete: [Archived]
    custom: [Noted]
`);
    const model = aggregate.readModels[0]!;
    expect(model.fields[0]!.rules.map((r) => [r.event, r.op])).toEqual([
      ['Opened', { kind: 'add', value: { kind: 'event', path: ['n'] } }],
      ['Closed', { kind: 'set', value: { kind: 'envelope', field: 'version' } }],
    ]);
    expect(model.events).toEqual(['Opened', 'Closed', 'Archived', 'Noted']);
    expect(model.key).toMatchObject({
      kind: 'computed',
      sources: [
        { event: 'Opened', value: { kind: 'event', path: ['owner'] } },
        { event: 'Closed', value: { kind: 'envelope', field: 'aggregateId' } },
        { event: 'Noted', value: { kind: 'envelope', field: 'aggregateId' } },
        { event: 'Archived', value: { kind: 'envelope', field: 'aggregateId' } },
      ],
    });
    expect(model.mode).toBe('async');
  });

  it('keeps source locations of nodes, 1-based', () => {
    const aggregate = build(`aggregate: A
events:
  Opened:
    fields: { n: number }
`);
    expect(aggregate.loc).toEqual({ file: 'domain/spec.esgen.yaml', line: 1, column: 1 });
    expect(aggregate.events[0]!.loc).toEqual({ file: 'domain/spec.esgen.yaml', line: 3, column: 3 });
    expect(aggregate.events[0]!.versions[0]!.fields[0]!.loc).toEqual({ file: 'domain/spec.esgen.yaml', line: 4, column: 15 });
  });

  it('sorts aggregates by file path whatever the input order', () => {
    const result = loadDomainFromSources(new Map([['b.esgen.yaml', 'aggregate: B\n'], ['a.esgen.yaml', 'aggregate: A\n']]));
    expect(result.ok && result.ir.aggregates.map((a) => a.name)).toEqual(['A', 'B']);
  });

  it('reuses parse results of unchanged files through the cache', async () => {
    const { createSpecCache } = await import('../../generator/load/spec-cache.js');
    const cache = createSpecCache();
    const files = new Map([['a.esgen.yaml', 'aggregate: A\n'], ['b.esgen.yaml', 'aggregate: B\n']]);
    loadDomainFromSources(files, { cache });
    const first = cache.get('a.esgen.yaml', 'aggregate: A\n');
    loadDomainFromSources(new Map([['a.esgen.yaml', 'aggregate: A\n'], ['b.esgen.yaml', 'aggregate: B2\n']]), { cache });
    expect(cache.get('a.esgen.yaml', 'aggregate: A\n')).toBe(first);
    expect(cache.get('b.esgen.yaml', 'aggregate: B\n')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('rebuilds the IR of the edited file only, and hands out the same frozen aggregate for the others', async () => {
    const { createSpecCache } = await import('../../generator/load/spec-cache.js');
    const cache = createSpecCache();
    const spec = (name: string, field: string) => `aggregate: ${name}\nevents:\n  ${name}Opened:\n    fields: { ${field}: string }\n`;
    const first = loadDomainFromSources(new Map([['a.esgen.yaml', spec('A', 'x')], ['b.esgen.yaml', spec('B', 'y')]]), { cache });
    const second = loadDomainFromSources(new Map([['a.esgen.yaml', spec('A', 'x')], ['b.esgen.yaml', spec('B', 'z')]]), { cache });
    if (!first.ok || !second.ok) throw new Error('specs do not load');
    expect(second.ir.aggregates[0]).toBe(first.ir.aggregates[0]);
    expect(second.ir.aggregates[1]).not.toBe(first.ir.aggregates[1]);
    expect(second.ir.aggregates[1]!.events[0]!.versions[0]!.fields[0]!.name).toBe('z');
    expect(Object.isFrozen(second.ir.aggregates[0]!.events[0]!.versions[0]!.fields[0])).toBe(true);
  });

  it('reports the same diagnostics, at the same places, with a warm cache as without one', async () => {
    const { createSpecCache } = await import('../../generator/load/spec-cache.js');
    const cache = createSpecCache();
    // Errors within a file (unknown type) and across files (an event name used by two aggregates).
    const files = (note: string) =>
      new Map([
        ['a.esgen.yaml', `aggregate: A\nstate:\n  total: Missing\nevents:\n  Opened:\n    fields: { n: number }\n`],
        ['b.esgen.yaml', `aggregate: B\n# ${note}\nevents:\n  Opened:\n    fields: { n: number }\n`],
      ]);
    loadDomainFromSources(files('first'), { cache });
    const warm = loadDomainFromSources(files('edited'), { cache });
    const cold = loadDomainFromSources(files('edited'));
    expect(warm.ok).toBe(false);
    expect(warm.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(warm.diagnostics).toEqual(cold.diagnostics);
  });

  it('puts the read models of a read-model file (no `aggregate:`) into DomainIR.readModels, without an aggregate', () => {
    const result = loadDomainFromSources(
      new Map([
        ['domain/a.esgen.yaml', 'aggregate: A\nevents:\n  AOpened: { fields: { owner: string } }\n'],
        ['domain/b.esgen.yaml', 'aggregate: B\nevents:\n  BUsed: { fields: { a: string } }\n'],
        ['domain/joined.esgen.yaml', 'readModels:\n  Joined:\n    projection: joined\n    key: { AOpened: $aggregateId, BUsed: a }\n    fields:\n      owner: { type: string?, from: AOpened.owner }\n      uses: { type: integer, default: 0, on: { BUsed: { increment: 1 } } }\n'],
      ]),
    );
    if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
    expect(result.ir.aggregates.map((aggregate) => [aggregate.name, aggregate.readModels.length])).toEqual([['A', 0], ['B', 0]]);
    const [model] = result.ir.readModels ?? [];
    expect(model).toMatchObject({ kind: 'readModel', name: 'Joined', projection: 'joined', events: ['AOpened', 'BUsed'], loc: { file: 'domain/joined.esgen.yaml' } });
    expect(model).not.toHaveProperty('aggregate');
    expect(model!.key).toMatchObject({ kind: 'computed', sources: [{ event: 'AOpened', value: { kind: 'envelope', field: 'aggregateId' } }, { event: 'BUsed', value: { kind: 'event', path: ['a'] } }] });
    expect(Object.isFrozen(model)).toBe(true);
  });

  it('leaves DomainIR.readModels out when no file is a read-model file', () => {
    const result = loadDomainFromSources(new Map([['domain/a.esgen.yaml', 'aggregate: A\nevents:\n  AOpened: {}\n']]));
    expect(result.ok && 'readModels' in result.ir).toBe(false);
  });
});
