/**
 * The breaking-change rules: a spec against the esgen.lock an earlier build wrote. Each kind of
 * change to a locked version is reported at the spec line that changed; what does not change the
 * stored shape (descriptions, field order, value-type names) passes; changes between versions are
 * the upcasts' business.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../generator/diagnostics/types.js';
import type { DomainIR } from '../../generator/ir/types.js';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import { checkDraftOrder, compareLocks, compareWithLock, derivedChanges, draftDiagnostics } from '../../generator/lock/compare-lock.js';
import { parseLock, renderLock } from '../../generator/lock/lock-file.js';
import { parseLockText } from '../../generator/lock/lock-text.js';

const file = 'domain/order.esgen.yaml';

const base = `aggregate: Order
types:
  Item: { sku: string, quantity: integer }
  Status: { enum: [open, paid] }
state:
  status: { type: Status, default: open }
events:
  OrderCreated:
    fields:
      customer: string
      items: Item[]
      status: Status
      note: string?
  OrderPaid:
    fields: { amount: number }
readModels:
  Orders:
    projection: orders
    fields:
      placedAt: { type: datetime, from: OrderCreated.$occurredAt }
`;

function load(text: string): DomainIR {
  const result = loadDomainFromSources(new Map([[file, text]]));
  if (!result.ok) throw new Error(`the spec does not load:\n${result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`).join('\n')}`);
  return result.ir;
}

function lockOf(text: string, previous?: string): string {
  return renderLock(load(text).aggregates, previous === undefined ? undefined : readLock(previous));
}

function readLock(text: string) {
  const parsed = parseLock(parseLockText('esgen.lock', text));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.lock;
}

/** The diagnostics of `spec` against the lock `lock`, as `CODE line:column message`. */
function against(lock: string, spec: string): string[] {
  const located = parseLockText('esgen.lock', lock);
  const ir = load(spec);
  const diagnostics: Diagnostic[] = [...checkDraftOrder(ir), ...compareWithLock(ir, { lock: parseLock(located).lock, file: 'esgen.lock', ...(located.locator ? { locator: located.locator } : {}) })];
  return diagnostics.map((d) => `${d.code} ${d.file === file ? '' : `${d.file} `}${d.line}:${d.column} ${d.message}`);
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line with ${needle}`);
  return index + 1;
}

function edit(from: string, to: string): string {
  expect(base).toContain(from);
  return base.replace(from, to);
}

describe('a locked event version', () => {
  const lock = lockOf(base);

  const cases: [string, { spec: string; at: string; message: RegExp }][] = [
    ['a field added', { spec: edit('      note: string?\n', '      note: string?\n      coupon: string?\n'), at: 'coupon: string?', message: /OrderCreated v1 is published and cannot change: optional field `coupon` was added/ }],
    ['a field removed', { spec: edit('      note: string?\n', ''), at: '  OrderCreated:', message: /OrderCreated v1 is published and cannot change: field `note` was removed/ }],
    ['a field renamed', { spec: edit('customer: string\n      items', 'buyer: string\n      items'), at: 'buyer: string', message: /field `customer` was renamed to `buyer`/ }],
    ['a type changed', { spec: edit('customer: string\n      items', 'customer: integer\n      items'), at: 'customer: integer', message: /the type of `customer` changed from string to integer/ }],
    ['optional made required', { spec: edit('note: string?', 'note: string'), at: 'note: string', message: /field `note` was optional and is now required/ }],
    ['required made optional', { spec: edit('customer: string\n      items', 'customer: string?\n      items'), at: 'customer: string?', message: /field `customer` was required and is now optional/ }],
    ['an enum value removed', { spec: edit('enum: [open, paid]', 'enum: [open]'), at: 'Status: {', message: /enum value `paid` of `status` \(Status\) was removed/ }],
    ['an enum value renamed', { spec: edit('enum: [open, paid]', 'enum: [open, settled]'), at: 'Status: {', message: /enum value `paid` of `status` \(Status\) was renamed to `settled`/ }],
    ['an enum value added', { spec: edit('enum: [open, paid]', 'enum: [open, paid, void]'), at: 'Status: {', message: /enum value `void` of `status` \(Status\) was added/ }],
    ['a nested value type changed underneath', { spec: edit('Item: { sku: string, quantity: integer }', 'Item: { sku: string, quantity: number }'), at: 'Item: {', message: /the type of `items\[\]\.quantity` changed from integer to number/ }],
  ];

  for (const [name, { spec, at, message }] of cases) {
    it(`reports ${name} as ESG170 at the line of the change`, () => {
      const found = against(lock, spec);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`^ESG170 ${lineOf(spec, at)}:\\d+ `));
      expect(found[0]).toMatch(message);
    });
  }

  it('names every change of one edit, each with the fix', () => {
    const spec = edit('customer: string\n      items: Item[]', 'buyer: string\n      items: Item[]\n      total: number').replace('note: string?', 'note: integer?');
    const result = loadDomainFromSources(new Map([[file, spec]]));
    if (!result.ok) throw new Error('does not load');
    const diagnostics = compareWithLock(result.ir, { lock: readLock(lock), file: 'esgen.lock' });
    expect(diagnostics.map((d) => d.message)).toEqual([
      'OrderCreated v1 is published and cannot change: field `customer` was renamed to `buyer`',
      'OrderCreated v1 is published and cannot change: required field `total` was added',
      'OrderCreated v1 is published and cannot change: the type of `note` changed from string to integer',
    ]);
    for (const d of diagnostics) expect(d.hint).toMatch(/^Add version 2 with an upcast from 1/);
  });

  it('accepts description-only edits, a new field order and a renamed value type', () => {
    const spec = base
      .replace('  OrderCreated:\n', '  OrderCreated:\n    description: An order was placed.\n')
      .replace('      customer: string\n', '      customer: { type: string, description: who ordered }\n')
      .replace('      note: string?\n', '')
      .replace('      items: Item[]\n', '      note: string?\n      items: LineItem[]\n')
      .replace('  Item: {', '  LineItem: {');
    expect(against(lock, spec)).toEqual([]);
    // The locked entry is kept as it was written, old value-type name included.
    expect(lockOf(spec, lock)).toBe(lock);
  });

  it('moved to another aggregate is an error at the event', () => {
    const spec = base.replace('aggregate: Order', 'aggregate: Basket');
    expect(against(lock, spec)).toContain(`ESG170 ${lineOf(spec, '  OrderCreated:')}:3 OrderCreated v1 is published by aggregate \`Order\` and cannot move to \`Basket\`: stored events keep their aggregate type`);
  });
});

describe('removing a locked version', () => {
  const lock = lockOf(base);

  it('is an error at the lock entry when the event is gone', () => {
    const spec = edit('  OrderPaid:\n    fields: { amount: number }\n', '');
    expect(against(lock, spec)).toEqual([`ESG171 esgen.lock ${lineOf(lock, 'OrderPaid v1:')}:3 OrderPaid v1 is published, but no spec declares \`OrderPaid\``]);
  });

  it('passes when the event is marked retired, and the lock keeps its entries', () => {
    const spec = edit('  OrderPaid:\n    fields: { amount: number }\n', '  OrderPaid: { retired: true }\n');
    expect(against(lock, spec)).toEqual([]);
    expect(lockOf(spec, lock)).toBe(lock);
  });

  it('a retired event is read by nothing: a read-model rule for it is an error', () => {
    const spec = base.replace('from: OrderCreated.$occurredAt }', 'from: OrderCreated.$occurredAt }\n      paidAt: { type: datetime?, from: OrderPaid.$occurredAt }').replace('  OrderPaid:\n    fields: { amount: number }\n', '  OrderPaid: { retired: true }\n');
    const result = loadDomainFromSources(new Map([[file, spec]]));
    expect(result.diagnostics.map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([`ESG136 ${lineOf(spec, 'paidAt:')} \`OrderPaid\` is retired (\`retired: true\`): no event of it is read any more`]);
  });

  it('is an error at the event when its newest locked version is gone', () => {
    const v2 = edit('  OrderPaid:\n    fields: { amount: number }\n', '  OrderPaid:\n    version: 2\n    fields: { amount: number, currency: string }\n    history:\n      1:\n        fields: { amount: number }\n        upcast: { add: { currency: EUR } }\n');
    const locked = lockOf(v2);
    expect(against(locked, base)).toEqual([`ESG171 ${lineOf(base, '  OrderPaid:')}:3 OrderPaid v2 is published, but the spec declares \`OrderPaid\` only up to version 1`]);
  });
});

describe('versions after the locked ones', () => {
  const lock = lockOf(base);
  const v2 = (upcast: string, fields = '{ amount: number, currency: string }') =>
    edit('  OrderPaid:\n    fields: { amount: number }\n', `  OrderPaid:\n    version: 2\n    fields: ${fields}\n    history:\n      1:\n        fields: { amount: number }\n        upcast: ${upcast}\n`);

  it('a new version with a covering upcast passes, and the build locks it next to version 1', () => {
    const spec = v2('{ add: { currency: EUR } }');
    expect(against(lock, spec)).toEqual([]);
    const next = lockOf(spec, lock);
    expect(next).toContain('  OrderPaid v1:\n');
    expect(next).toContain('  OrderPaid v2:\n');
    // Version 1's entry is the same text as before.
    const block = (text: string, key: string) => text.slice(text.indexOf(`  ${key}:\n`)).split(/\n(?=\S| {2}\S)/)[0];
    expect(block(next, 'OrderPaid v1')).toBe(block(lock, 'OrderPaid v1'));
  });

  it('an incomplete declarative upcast fails (ESG142: the new required field is not produced)', () => {
    const result = loadDomainFromSources(new Map([[file, v2('{ remove: [] }')]]));
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toContain('ESG142 version 2 of `OrderPaid` requires `currency`, but the upcast from version 1 does not produce it');
  });

  it('an optional field added needs no value from the upcast; a custom upcast is trusted', () => {
    expect(loadDomainFromSources(new Map([[file, v2('{ remove: [] }', '{ amount: number, currency: string? }')]])).ok).toBe(true);
    expect(loadDomainFromSources(new Map([[file, v2('custom', '{ total: integer }')]])).ok).toBe(true);
  });

  it('checks v1 → v3 step by step: v1 reaches v3 only through v2, and a broken step from v2 fails', () => {
    const v3 = (step2: string) =>
      base.replace(
        '  OrderPaid:\n    fields: { amount: number }\n',
        [
          '  OrderPaid:',
          '    version: 3',
          '    fields: { total: number, currency: string, method: string? }',
          '    history:',
          '      1:',
          '        fields: { amount: number }',
          '        upcast: { rename: { amount: total } }',
          '      2:',
          '        fields: { total: number }',
          `        upcast: ${step2}`,
          '',
        ].join('\n'),
      );
    // v1 and v2 are published; v3 is new.
    const lockV2 = lockOf(base.replace('  OrderPaid:\n    fields: { amount: number }\n', '  OrderPaid:\n    version: 2\n    fields: { total: number }\n    history:\n      1:\n        fields: { amount: number }\n        upcast: { rename: { amount: total } }\n'));
    const good = v3('{ add: { currency: EUR } }');
    expect(against(lockV2, good)).toEqual([]);
    expect(lockOf(good, lockV2)).toContain('  OrderPaid v3:\n');

    const broken = loadDomainFromSources(new Map([[file, v3('{ add: { method: card } }')]]));
    expect(broken.ok).toBe(false);
    expect(broken.diagnostics.map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([`ESG142 ${lineOf(v3('{ add: { method: card } }'), 'upcast: { add: { method')} version 3 of \`OrderPaid\` requires \`currency\`, but the upcast from version 2 does not produce it`]);

    // Editing the locked v1 underneath v3 is reported at version 1, with the fix for an older version.
    const edited = good.replace('        fields: { amount: number }\n        upcast: { rename: { amount: total } }', '        fields: { amount: number, memo: string? }\n        upcast: { rename: { amount: total }, remove: [memo] }');
    expect(edited).not.toBe(good);
    const result = loadDomainFromSources(new Map([[file, edited]]));
    if (!result.ok) throw new Error('does not load');
    const found = compareWithLock(result.ir, { lock: readLock(lockV2), file: 'esgen.lock' });
    expect(found.map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([`ESG170 ${lineOf(edited, 'memo: string?')} OrderPaid v1 is published and cannot change: optional field \`memo\` was added`]);
    expect(found[0]!.hint).toBe('Restore version 1 under `history` as esgen.lock records it, and put the change in version 4 with an upcast from 3');
  });
});

describe('drafts', () => {
  const lock = lockOf(base);
  const draftEvent = edit('  OrderPaid:\n', '  OrderRefunded:\n    draft: true\n    fields: { amount: number }\n  OrderPaid:\n');

  it('are not locked, and `--strict` reports each one', () => {
    const ir = load(draftEvent);
    expect(renderLock(ir.aggregates, readLock(lock))).not.toContain('OrderRefunded');
    expect(against(lock, draftEvent)).toEqual([]);
    expect(draftDiagnostics(ir).map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([`ESG174 ${lineOf(draftEvent, 'OrderRefunded:')} OrderRefunded v1 is a draft: a release locks every version`]);
    // Once the draft is done, the next build locks it.
    expect(lockOf(draftEvent.replace('    draft: true\n', ''), lock)).toContain('  OrderRefunded v1:\n');
  });

  it('may change freely while they are drafts', () => {
    const changed = draftEvent.replace('fields: { amount: number }\n  OrderPaid', 'fields: { amount: integer, reason: string }\n  OrderPaid');
    expect(against(lockOf(draftEvent, lock), changed)).toEqual([]);
  });

  it('cannot be a locked version (ESG172), and come after every locked version (ESG173)', () => {
    const lockedDraft = edit('  OrderPaid:\n', '  OrderPaid:\n    draft: true\n');
    expect(against(lock, lockedDraft)).toEqual([`ESG172 ${lineOf(lockedDraft, '  OrderPaid:')}:3 OrderPaid v1 is locked, so it cannot be a draft`]);

    const draftBeforeLocked = edit('  OrderPaid:\n    fields: { amount: number }\n', '  OrderPaid:\n    version: 3\n    fields: { amount: number }\n    history:\n      1:\n        fields: { amount: number }\n        upcast: custom\n      2:\n        draft: true\n        fields: { amount: number }\n        upcast: custom\n');
    expect(against(lock, draftBeforeLocked)).toEqual([`ESG173 ${lineOf(draftBeforeLocked, '  OrderPaid:')}:3 version 3 of \`OrderPaid\` is not a draft, but version 2 before it is`]);
  });
});

describe('the lock file', () => {
  it('is byte-identical across runs and whatever the order of the spec', () => {
    const reordered = base
      .replace('      customer: string\n      items: Item[]\n', '      items: Item[]\n      customer: string\n')
      .replace('Item: { sku: string, quantity: integer }', 'Item: { quantity: integer, sku: string }');
    const first = lockOf(base);
    expect(lockOf(base)).toBe(first);
    expect(lockOf(reordered)).toBe(first);
    expect(lockOf(base, first)).toBe(first);
  });

  it('holds one block per event version, read model and state, each field on its own line', () => {
    const lock = lockOf(base);
    expect(lock).toMatch(/^lockVersion: 1$/m);
    const created = lock.slice(lock.indexOf('  OrderCreated v1:\n'), lock.indexOf('  OrderPaid v1:\n'));
    expect(created.replace(/sha256:[0-9a-f]{16}/, 'sha256:…')).toBe(
      [
        '  OrderCreated v1:',
        '    fingerprint: sha256:…',
        '    aggregate: Order',
        '    fields:',
        '      customer: string',
        '      items: Item[]',
        '      note: string?',
        '      status: Status',
        '    types:',
        '      Item:',
        '        quantity: integer',
        '        sku: string',
        '      Status:',
        '        - open',
        '        - paid',
        '',
      ].join('\n'),
    );
    expect(lock).toMatch(/^readModels:\n {2}Orders:\n {4}fingerprint: [0-9a-f]{16}\n {4}aggregate: Order\n {4}projection: orders\n {4}mode: async\n {4}key: aggregateId\n/m);
    expect(lock).toContain('        on:\n          OrderCreated: set $occurredAt\n');
    expect(lock).toMatch(/^states:\n {2}Order:\n {4}fingerprint: [0-9a-f]{16}\n/m);
  });

  it('updates read models and states from the spec on every build (they are rebuilt, not published)', () => {
    const lock = lockOf(base);
    const spec = edit('placedAt: { type: datetime, from: OrderCreated.$occurredAt }', 'placedAt: { type: datetime, from: OrderCreated.$occurredAt, index: true }');
    expect(against(lock, spec)).toEqual([]);
    const next = lockOf(spec, lock);
    expect(next).not.toBe(lock);
    expect(next).toContain('        index: true\n');
    expect(next.slice(0, next.indexOf('readModels:'))).toBe(lock.slice(0, lock.indexOf('readModels:')));
  });

  it('reports an entry it cannot read as ESG175 at its line', () => {
    const lock = lockOf(base).replace('      customer: string\n', '      customer: not a type\n');
    const parsed = parseLock(parseLockText('esgen.lock', lock));
    expect(parsed.diagnostics.map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([`ESG175 ${lineOf(lock, 'customer: not a type')} \`not a type\` in esgen.lock is not a type expression`]);
  });

  it('compared with the lock of a base ref, reports a locked entry edited in the lock (ESG176)', () => {
    const baseLock = lockOf(base);
    const editedLock = baseLock.replace('      note: string?\n', '      note: string?\n      coupon: string?\n');
    const source = (text: string, ref?: string) => {
      const located = parseLockText('esgen.lock', text);
      return { lock: parseLock(located).lock, file: 'esgen.lock', ...(located.locator ? { locator: located.locator } : {}), ...(ref ? { ref } : {}) };
    };
    const found = compareLocks(source(baseLock, 'main'), source(editedLock));
    expect(found.map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([`ESG176 ${lineOf(editedLock, 'OrderCreated v1:')} OrderCreated v1 is locked at main, and esgen.lock was edited: optional field \`coupon\` was added`]);
    expect(compareLocks(source(baseLock, 'main'), source(baseLock))).toEqual([]);
  });

  it('compared with the lock of a base ref, warns about read models and snapshotted states that changed (ESG177, ESG178)', () => {
    const withSnapshots = base.replace('aggregate: Order\n', 'aggregate: Order\nsnapshot: { every: 10 }\n');
    const baseLock = lockOf(withSnapshots);
    const located = parseLockText('esgen.lock', baseLock);
    const source = { lock: parseLock(located).lock, file: 'esgen.lock', ref: 'main' };
    expect(derivedChanges(load(withSnapshots), source)).toEqual([]);
    const changed = withSnapshots
      // A mode switch changes the fingerprint (an index flag alone does not: it changes no row).
      .replace('    projection: orders\n', '    projection: orders\n    mode: inline\n')
      .replace('  status: { type: Status, default: open }\n', '  status: { type: Status, default: open }\n  paidAt: datetime?\n');
    const found = derivedChanges(load(changed), source);
    expect(found.map((d) => `${d.severity} ${d.code} ${d.line} ${d.message.replace(/[0-9a-f]{16}/g, 'F')}`)).toEqual([
      `warning ESG177 ${lineOf(changed, '  Orders:')} read model \`Orders\` changed since main (fingerprint F → F): its rows are rebuilt from the events before it serves again`,
      `warning ESG178 1 the state of \`Order\` changed since main (fingerprint F → F): snapshots taken before are ignored, so aggregates load from their events until new snapshots are written`,
    ]);
  });

  it('reads back what it wrote, whatever YAML would make of the values (numbers, booleans, colons, comments)', () => {
    const tricky = base.replace('enum: [open, paid]', `enum: [open, '1', 'true', 'null', 'a: b', '- x', '#c', "it's", 'yes']`);
    const lock = lockOf(tricky);
    expect(against(lock, tricky)).toEqual([]);
    expect(lockOf(tricky, lock)).toBe(lock);
    expect(against(lock, tricky.replace("'yes']", "'no']"))).toHaveLength(1);
  });
});

describe('a retired version (`history: { 1: { retired: true } }`)', () => {
  const evolved = `aggregate: Order
events:
  OrderPaid:
    version: 3
    fields: { amount: number, currency: string, method: string }
    history:
      1:
        fields: { amount: number }
        upcast: { add: { currency: EUR } }
      2:
        fields: { amount: number, currency: string }
        upcast: { add: { method: card } }
`;
  const lock = lockOf(evolved);
  const retiredV1 = evolved.replace('      1:\n        fields: { amount: number }\n        upcast: { add: { currency: EUR } }\n', '      1: { retired: true }\n');

  function diagnosticsOf(text: string): string[] {
    const result = loadDomainFromSources(new Map([[file, text]]));
    return result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`);
  }

  it('passes against the lock, which keeps the retired entry as it was', () => {
    expect(retiredV1).not.toBe(evolved);
    expect(against(lock, retiredV1)).toEqual([]);
    expect(lockOf(retiredV1, lock)).toBe(lock);
    expect(lock).toContain('OrderPaid v1');
  });

  it('can only be among the oldest versions: a kept older version upcasts through it (ESG179)', () => {
    const middle = evolved.replace('      2:\n        fields: { amount: number, currency: string }\n        upcast: { add: { method: card } }\n', '      2: { retired: true }\n');
    expect(diagnosticsOf(middle)).toEqual([`ESG179 ${lineOf(middle, '      2: { retired: true }')}:7 version 2 of \`OrderPaid\` is retired, but version 1 is kept and its stored events upcast through version 2`]);
    const both = middle.replace('      1:\n        fields: { amount: number }\n        upcast: { add: { currency: EUR } }\n', '      1: { retired: true }\n');
    expect(diagnosticsOf(both)).toEqual([]);
  });

  it('declares nothing else (ESG179), and a version simply deleted is still an error', () => {
    const withFields = evolved.replace('      1:\n        fields: { amount: number }\n', '      1:\n        retired: true\n        fields: { amount: number }\n');
    expect(diagnosticsOf(withFields)).toEqual([`ESG179 ${lineOf(withFields, '      1:')}:7 version 1 of \`OrderPaid\` is retired but still declares \`fields\`, \`upcast\`: nothing reads a retired version`]);
    const deleted = evolved.replace('      1:\n        fields: { amount: number }\n        upcast: { add: { currency: EUR } }\n', '');
    expect(diagnosticsOf(deleted).length).toBeGreaterThan(0);
  });
});
