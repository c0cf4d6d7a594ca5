import { describe, expect, it } from 'vitest';
import { check, defineAggregate, defineRegistry, isEsgenError, type Registry } from '../../runtime/index.js';
import { selectEventTypes } from '../../runtime/publish/publisher.js';

/** Two aggregates as generated code declares them: `Account` is `publish: true` (with one event opted out), `Audit` says nothing (with one event kept internal on purpose). */
const marked = defineRegistry([
  defineAggregate({
    type: 'Account',
    idType: 'string',
    stateFingerprint: 'a',
    events: {
      AccountOpened: { versions: [{ owner: check.string }], publish: true },
      AccountClosed: { versions: [{}], publish: false },
    },
  }),
  defineAggregate({
    type: 'Audit',
    idType: 'string',
    stateFingerprint: 'b',
    events: {
      AuditLogged: { versions: [{ line: check.string }] },
      AuditPurged: { versions: [{}], publish: false },
    },
  }),
]);

/** The same events without a word about publishing (a spec written before `publish:` existed). */
const unmarked = defineRegistry([
  defineAggregate({ type: 'Account', idType: 'string', stateFingerprint: 'a', events: { AccountOpened: { versions: [{}] }, AccountClosed: { versions: [{}] } } }),
]);

/** Only opt-outs: nothing public, one event internal on purpose. */
const optOutOnly = defineRegistry([
  defineAggregate({ type: 'Account', idType: 'string', stateFingerprint: 'a', events: { AccountOpened: { versions: [{}] }, AccountClosed: { versions: [{}], publish: false } } }),
]);

describe('selectEventTypes: which events a publisher forwards', () => {
  const cases: [string, { registry: Registry; events?: string[]; aggregates?: string[]; want: string[] }][] = [
    ['the spec’s public events when the config lists nothing', { registry: marked, want: ['AccountOpened'] }],
    ['the spec’s public events plus an event the config names', { registry: marked, events: ['AuditLogged'], want: ['AccountOpened', 'AuditLogged'] }],
    ['an aggregate the config names brings its events except those the spec keeps internal', { registry: marked, aggregates: ['Audit'], want: ['AccountOpened', 'AuditLogged'] }],
    ['naming a public aggregate adds nothing it opted out of', { registry: marked, aggregates: ['Account'], want: ['AccountOpened'] }],
    ['every event when neither the spec nor the config marks any (the behaviour before `publish:`)', { registry: unmarked, want: ['AccountOpened', 'AccountClosed'] }],
    ['every event but the opted-out ones when the spec marks none public', { registry: optOutOnly, want: ['AccountOpened'] }],
    ['registry order, whatever the order of the lists', { registry: unmarked, events: ['AccountClosed', 'AccountOpened'], want: ['AccountOpened', 'AccountClosed'] }],
  ];
  it.each(cases)('%s', (_name, { registry, events, aggregates, want }) => {
    expect(selectEventTypes(registry, events, aggregates, 'bus')).toEqual(want);
  });

  it('refuses a config that names an event the spec keeps internal, saying how to fix it (ESG235)', () => {
    let thrown: unknown;
    try {
      selectEventTypes(marked, ['AccountClosed', 'AuditPurged', 'Nope'], undefined, 'bus');
    } catch (error) {
      thrown = error;
    }
    expect(isEsgenError(thrown, 'ESG235')).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toContain('event AccountClosed is internal (the spec says `publish: false`)');
    expect(message).toContain('event AuditPurged is internal');
    expect(message).toContain('mark it `publish: true` in the spec');
    expect(message).toContain('event Nope is not in the registry');
  });

  it('refuses a selection that ends up empty', () => {
    const allInternal = defineRegistry([defineAggregate({ type: 'A', idType: 'string', stateFingerprint: 'a', events: { Done: { versions: [{}], publish: false } } })]);
    expect(() => selectEventTypes(allInternal, undefined, ['A'], 'bus')).toThrow(/selects no events: mark events `publish: true` in the spec/);
  });
});
