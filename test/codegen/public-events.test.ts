/**
 * The spec's `publish:` marks reach the generated code: the registry says which events are
 * public (and which are internal on purpose), and only aggregates with public events get a bus
 * module, whose subjects and consumer cover the public events alone.
 */
import { describe, expect, it } from 'vitest';
import handlebars from 'handlebars';
import * as tsm from 'ts-morph';
import { createScaffoldRenderer, emitAggregate } from '../../generator/emit/emit-domain.js';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import { typeAggregate } from '../../generator/typed/typed-aggregate.js';

const specs = new Map([
  [
    'account.esgen.yaml',
    `aggregate: Account
publish: true
events:
  AccountOpened: { fields: { owner: string } }
  AccountFlagged: { publish: false }
  AccountClosed: {}
`,
  ],
  [
    'audit.esgen.yaml',
    `aggregate: Audit
events:
  AuditLogged: { fields: { line: string } }
  AuditShared: { publish: true, fields: { line: string } }
  AuditPurged: { publish: false }
`,
  ],
  ['note.esgen.yaml', 'aggregate: Note\nevents:\n  NoteWritten: {}\n'],
]);

function load() {
  const result = loadDomainFromSources(specs);
  expect(result.diagnostics).toEqual([]);
  if (!result.ok) throw new Error('does not load');
  return result.ir;
}

function emitted(name: string): Map<string, string> {
  const aggregate = load().aggregates.find((candidate) => candidate.name === name)!;
  const context = {
    runtimeImport: 'esgen/runtime',
    sourceFromOutput: '../domain',
    generatedFromSource: '../generated',
    configFile: 'esgen.config.yaml',
    tsm,
    render: createScaffoldRenderer(handlebars),
  };
  return new Map(emitAggregate(aggregate, context).files.map((file) => [file.path, file.text]));
}

describe('publish: in specs', () => {
  it('classifies each event: its own publish, else its aggregate’s, else internal', () => {
    const visibility = load().aggregates.flatMap((aggregate) => {
      const typed = typeAggregate(aggregate);
      return aggregate.events.map((event) => [event.name, typed.visibility(event)]);
    });
    expect(visibility).toEqual([
      ['AccountOpened', 'public'],
      ['AccountFlagged', 'internal'],
      ['AccountClosed', 'public'],
      ['AuditLogged', 'internal'],
      ['AuditShared', 'public'],
      ['AuditPurged', 'internal'],
      ['NoteWritten', 'internal'],
    ]);
  });

  it('writes the marks into the registry: true for public, false for internal on purpose, nothing where the spec is silent', () => {
    const account = emitted('Account').get('account/registry.ts')!;
    expect(account).toMatch(/AccountOpened: \{ versions: \[\{ owner: \w+\.string \}\], publish: true \}/);
    expect(account).toMatch(/AccountFlagged: \{ versions: \[\{\s*\}\], publish: false \}/);
    expect(account).toMatch(/AccountClosed: \{ versions: \[\{\s*\}\], publish: true \}/);
    const audit = emitted('Audit').get('audit/registry.ts')!;
    expect(audit).toMatch(/AuditLogged: \{ versions: \[\{ line: \w+\.string \}\] \}/);
    expect(audit).toMatch(/AuditShared: \{ versions: \[\{ line: \w+\.string \}\], publish: true \}/);
    expect(audit).toMatch(/AuditPurged: \{ versions: \[\{\s*\}\], publish: false \}/);
    expect(emitted('Note').get('note/registry.ts')).not.toMatch(/publish/);
  });

  it('gives a bus module (public events, subjects, typed consumer) only to aggregates with public events', () => {
    const audit = emitted('Audit');
    const bus = audit.get('audit/bus.ts')!;
    expect(bus).toMatch(/export interface AuditPublicEvents \{\s*readonly AuditShared: AuditShared;\s*\}/);
    expect(bus).toMatch(/export const AuditSubjects = \{\s*AuditShared: 'Audit\.AuditShared',\s*\} as const;/);
    expect(bus).toMatch(/export const consumeAuditEvents = defineAggregateConsumer<AuditPublicEvents>\(auditAggregate\);/);
    expect(bus).not.toMatch(/AuditLogged|AuditPurged/);
    expect(audit.get('audit/index.ts')).toMatch(/export \* from ["']\.\/bus\.js["'];/);

    const account = emitted('Account').get('account/bus.ts')!;
    expect(account).toMatch(/AccountOpened: 'Account\.AccountOpened',\s*AccountClosed: 'Account\.AccountClosed',/);
    expect(account).not.toMatch(/AccountFlagged/);

    const note = emitted('Note');
    expect([...note.keys()]).not.toContain('note/bus.ts');
    expect(note.get('note/index.ts')).not.toMatch(/bus/);
  });
});
