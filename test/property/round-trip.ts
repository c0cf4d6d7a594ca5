/**
 * The runtime round trip of one random domain: generated code and the runtime on a real database
 * (PGlite or a server), driven with random valid payloads (edge values included). It checks:
 * - the state of a saved instance equals the state loaded back (and a load without snapshots);
 * - loadAtVersion(v) equals the state right after event v was raised;
 * - loaded state equals the oracle's state (domain-oracle.ts) for the stored events;
 * - stored payloads equal the raised ones;
 * - payloads stored at old versions (inserted directly) load upcast as the oracle predicts;
 * - inline and async read-model rows equal a replay of the stored events through the definitions.
 * Every difference is collected (not thrown) so one run reports all of them, with the seed.
 */
import { randomUUID } from 'node:crypto';
import { createEventSourcing, createRepository, isEsgenError, type AggregateRootLike, type EventEnvelope, type ProjectionChange, type ReadModelDefinition, type Registry, type SaveOptions, type SqlClient } from '../../runtime/index.js';
import { currentVersion, type AggregateModel, type EventModel } from './domain-model.js';
import { applyEvent, initialState, upcastPayload, type OracleEnvelope, type State } from './domain-oracle.js';
import { importAggregateClass, importRegistry } from './generated-layout.js';
import type { PropertyProject } from './property-project.js';
import { randomPayload, randomString } from './random-values.js';
import { testPersonalData } from '../support/personal-data.js';
import { createRandom, type Random } from './seeded-random.js';

export interface RoundTripCounts {
  events: number;
  saves: number;
  loads: number;
  loadsAtVersion: number;
  /** Events stored at an old payload version and loaded through the upcasters. */
  upcasts: number;
  readModelRows: number;
}

export interface Difference {
  /** What kind of check failed, stable enough to group by (`save threw ESG202 …`, `state after load ≠ after save`). */
  readonly kind: string;
  /** Aggregate, stream, version. */
  readonly where: string;
  readonly detail: string;
}

export interface RoundTripReport {
  readonly seed: number;
  readonly counts: RoundTripCounts;
  readonly differences: Difference[];
}

/** The harness's user class (user-code.ts): raises any event by name. */
interface HarnessAggregate extends AggregateRootLike {
  raiseByName(type: string, data: unknown, options?: { occurredAt?: Date }): void;
  readonly state: State;
}

export interface RoundTripOptions {
  readonly client: SqlClient;
  /** A schema of its own: its tables are created here. */
  readonly schema: string;
  readonly streamsPerAggregate?: number;
  readonly maxEventsPerStream?: number;
}

export async function roundTrip(project: PropertyProject, options: RoundTripOptions): Promise<RoundTripReport> {
  const counts: RoundTripCounts = { events: 0, saves: 0, loads: 0, loadsAtVersion: 0, upcasts: 0, readModelRows: 0 };
  const differences: Difference[] = [];
  const report = { seed: project.seed, counts, differences };
  const differ = (kind: string, where: string, detail: string) => differences.push({ kind, where, detail });

  const registry = await importRegistry(project);
  const es = await createEventSourcing({
    registry,
    client: options.client,
    schema: options.schema,
    // Random domains mark event fields `pii`: their payloads round-trip through the seal.
    personalData: testPersonalData(),
    repository: { onSnapshotError: (error, aggregate) => differ(`snapshot write failed: ${errorCause(error)}`, `${aggregate.aggregateType} ${aggregate.id}`, errorText(error)) },
  });
  const random = createRandom(project.seed).fork('runtime');
  /** Events appended through the store (inline read models saw them); SQL-inserted ones are not here. */
  const appended = new Set<string>();
  try {
    for (const aggregate of project.domain.aggregates) {
      if (!registry.aggregates[aggregate.name]) {
        differ('aggregate missing from the registry', aggregate.name, Object.keys(registry.aggregates).join(', '));
        continue;
      }
      const UserClass = await importAggregateClass(project, aggregate);
      if (UserClass.definition !== registry.aggregates[aggregate.name]) differ('the class carries another definition than the registry', aggregate.name, '');
      const repository = es.repository(UserClass);
      const fullReplay = createRepository(es.store, { ...UserClass.definition, snapshotEvery: undefined, create: (id: string) => new UserClass(id) });
      const streamRandom = random.fork(aggregate.name);
      const context: StreamContext = { aggregate, repository, fullReplay, random: streamRandom, counts, differ, appended, es, schema: options.schema };
      await oldVersionStream(context);
      const streams = options.streamsPerAggregate ?? streamRandom.int(2, 3);
      for (let i = 0; i < streams; i++) await stream(context, aggregateId(aggregate, streamRandom, i), options.maxEventsPerStream ?? 10);
    }
    await compareReadModels(es, registry, options, appended, counts, differ);
  } finally {
    await es.close();
  }
  return report;
}

interface StreamContext {
  readonly aggregate: AggregateModel;
  readonly repository: { create(id: string): AggregateRootLike; load(id: string): Promise<AggregateRootLike>; loadAtVersion(id: string, version: number): Promise<AggregateRootLike>; save(a: AggregateRootLike, o?: SaveOptions): Promise<{ envelopes: readonly EventEnvelope[] }> };
  readonly fullReplay: { load(id: string): Promise<AggregateRootLike> };
  readonly random: Random;
  readonly counts: RoundTripCounts;
  readonly differ: (kind: string, where: string, detail: string) => void;
  readonly appended: Set<string>;
  readonly es: Awaited<ReturnType<typeof createEventSourcing>>;
  readonly schema: string;
}

function aggregateId(aggregate: AggregateModel, random: Random, index: number): string {
  if (aggregate.idType === 'uuid') return randomUUID();
  return random.pick([`${aggregate.name.toLowerCase()}-${index}-${random.int(0, 1e6)}`, `ïd ü ${index} ${random.int(0, 1e6)}`, `${index}:${randomUUID()}`]);
}

/** When an event happened: mostly recent, sometimes in the first centuries or the last year PostgreSQL and JavaScript share. */
function occurredAt(random: Random): Date {
  const roll = random.next();
  if (roll < 0.05) return new Date(Date.UTC(2000, 0, 1) + random.int(0, 1000));
  if (roll < 0.08) return new Date(`00${random.int(10, 99)}-0${random.int(1, 9)}-1${random.int(0, 9)}T0${random.int(0, 9)}:30:00.${random.int(100, 999)}Z`);
  if (roll < 0.1) return new Date(`9999-12-31T2${random.int(0, 3)}:59:59.999Z`);
  return new Date(Date.UTC(random.int(1971, 2099), random.int(0, 11), random.int(1, 28), random.int(0, 23), random.int(0, 59), random.int(0, 59), random.int(0, 999)));
}

function saveOptions(random: Random): SaveOptions {
  return random.weighted<SaveOptions>([
    [2, {}],
    [1, { correlationId: randomUUID(), causationId: randomUUID(), metadata: { user: randomString(random, 'spec'), n: random.int(0, 9) } }],
    [1, { correlationId: null, metadata: {} }],
  ]);
}

async function stream(ctx: StreamContext, id: string, maxEvents: number): Promise<void> {
  const { aggregate, repository, random, counts, differ } = ctx;
  const where = (version: number) => `${aggregate.name} ${JSON.stringify(id)} v${version}`;
  const instance = repository.create(id) as HarnessAggregate;
  /** The in-memory state right after each version was raised. */
  const raisedStates = new Map<number, State>();
  /** Payloads as raised, by version. */
  const raised = new Map<number, unknown>();
  const steps = random.int(1, maxEvents);
  for (let step = 1; step <= steps; step++) {
    const event = random.pick(aggregate.events);
    const payload = randomPayload(aggregate, currentVersion(event).fields, random);
    try {
      instance.raiseByName(event.name, payload, { occurredAt: occurredAt(random) });
    } catch (error) {
      differ(`raise threw: ${errorCause(error)}`, where(instance.version + 1), `${event.name} ${show(payload)}\n${errorText(error)}`);
      return;
    }
    counts.events++;
    raisedStates.set(instance.version, instance.state);
    raised.set(instance.version, payload);
    if (step === steps || random.chance(0.35)) {
      if (!(await saveAndCompare(ctx, instance, id, raised))) return;
    }
  }
  // Time travel: the state at a version equals the state right after that event was raised.
  for (const version of random.sample([...raisedStates.keys()], random.int(1, 3))) {
    try {
      const past = (await repository.loadAtVersion(id, version)) as HarnessAggregate;
      counts.loadsAtVersion++;
      compare(differ, 'loadAtVersion ≠ state right after the event was raised', where(version), raisedStates.get(version), past.state, aggregate);
    } catch (error) {
      differ(`loadAtVersion threw: ${errorCause(error)}`, where(version), errorText(error));
    }
  }
}

/** Saves, then loads three ways and compares. Returns false when the stream cannot go on. */
async function saveAndCompare(ctx: StreamContext, instance: HarnessAggregate, id: string, raised: Map<number, unknown>): Promise<boolean> {
  const { aggregate, repository, fullReplay, random, counts, differ, es } = ctx;
  const where = `${aggregate.name} ${JSON.stringify(id)} v${instance.version}`;
  const pending = instance.uncommittedEvents().map((p) => `${p.event.type} ${show(p.event.data)}`);
  try {
    const result = await repository.save(instance, saveOptions(random));
    counts.saves++;
    for (const envelope of result.envelopes) ctx.appended.add(envelope.eventId);
  } catch (error) {
    differ(saveFailure(error), where, `${errorText(error)}\npending: ${pending.join('\n         ')}`);
    return false;
  }
  try {
    const loaded = (await repository.load(id)) as HarnessAggregate;
    const replayed = (await fullReplay.load(id)) as HarnessAggregate;
    counts.loads += 2;
    if (loaded.version !== instance.version) differ('loaded version ≠ saved version', where, `${loaded.version} ≠ ${instance.version}`);
    compare(differ, 'state after load ≠ state after save', where, instance.state, loaded.state, aggregate);
    compare(differ, 'state from snapshot ≠ full replay', where, replayed.state, loaded.state);
    const stored = await es.store.getEventsByAggregate(aggregate.name, id);
    for (const event of stored) {
      if (raised.has(event.version)) compare(differ, 'stored payload ≠ raised payload', `${where} event v${event.version} ${event.type}`, raised.get(event.version), event.data);
    }
    compare(differ, 'loaded state ≠ oracle', where, oracleState(aggregate, stored), replayed.state, aggregate);
  } catch (error) {
    differ(`load threw: ${errorCause(error)}`, where, errorText(error));
    return false;
  }
  return true;
}

function oracleState(aggregate: AggregateModel, events: readonly EventEnvelope[]): State {
  let state = initialState(aggregate);
  for (const stored of events) {
    const event = aggregate.events.find((e) => e.name === stored.type)!;
    const envelope: OracleEnvelope = { eventId: stored.eventId, aggregateId: stored.aggregateId, version: stored.version, occurredAt: stored.occurredAt };
    state = applyEvent(aggregate, state, event, stored.data, envelope);
  }
  return state;
}

/**
 * A stream whose first events were stored at old payload versions (inserted with SQL, as an
 * older release of the application wrote them), continued through the repository.
 */
async function oldVersionStream(ctx: StreamContext): Promise<void> {
  const { aggregate, random, counts, differ, es, schema } = ctx;
  const versioned = aggregate.events.filter((e) => e.versions.length > 1);
  if (versioned.length === 0) return;
  const id = aggregateId(aggregate, random, 99);
  const inserted: { event: EventModel; version: number; data: unknown }[] = [];
  for (let i = 0, n = random.int(1, 4); i < n; i++) {
    const event = random.pick(versioned);
    const version = random.int(1, event.versions.length - 1);
    const data = randomPayload(aggregate, event.versions[version - 1]!.fields, random);
    await es.client.query(
      `INSERT INTO ${schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [randomUUID(), aggregate.name, id, i + 1, event.name, version, JSON.stringify(data), occurredAt(random).toISOString()],
    );
    inserted.push({ event, version, data });
  }
  const where = `${aggregate.name} ${JSON.stringify(id)} (stored at old versions)`;
  try {
    const stored = await es.store.getEventsByAggregate(aggregate.name, id);
    stored.forEach((event, i) => {
      const { event: model, version, data } = inserted[i]!;
      counts.upcasts++;
      if (event.storedVersion !== version) differ('storedVersion ≠ the version written', `${where} v${i + 1}`, `${event.storedVersion} ≠ ${version}`);
      compare(differ, 'upcast payload ≠ oracle', `${where} v${i + 1} ${model.name} v${version}→v${currentVersion(model).version}`, upcastPayload(aggregate, model, version, data), event.data);
    });
    const loaded = (await ctx.repository.load(id)) as HarnessAggregate;
    counts.loads++;
    compare(differ, 'state loaded from old versions ≠ oracle', where, oracleState(aggregate, stored), loaded.state, aggregate);
    // The stream goes on with current events.
    const event = random.pick(aggregate.events);
    const payload = randomPayload(aggregate, currentVersion(event).fields, random);
    loaded.raiseByName(event.name, payload, { occurredAt: occurredAt(random) });
    counts.events++;
    await saveAndCompare(ctx, loaded, id, new Map([[loaded.version, payload]]));
  } catch (error) {
    differ(`loading old versions threw: ${errorCause(error)}`, where, `${errorText(error)}\nstored: ${inserted.map((e) => `${e.event.name} v${e.version} ${show(e.data)}`).join('\n        ')}`);
  }
}

/** Rows of every read model: inline ones right after the appends, async ones after a worker caught up. */
async function compareReadModels(
  es: Awaited<ReturnType<typeof createEventSourcing>>,
  registry: Registry,
  options: RoundTripOptions,
  appended: ReadonlySet<string>,
  counts: RoundTripCounts,
  differ: (kind: string, where: string, detail: string) => void,
): Promise<void> {
  const definitions = Object.values(registry.readModels) as ReadModelDefinition<unknown>[];
  if (definitions.length === 0) return;
  // Every stored event, in the order they were written (one writer at a time here, so global
  // position order is commit order). Not readAllAfter: on a shared server its gap-safe horizon
  // can hold back events other sessions' open transactions might precede.
  const eventTypes = Object.keys(registry.events);
  const events = await es.store.getEventsByType(eventTypes, { limit: 1_000_000 });
  if (definitions.some((d) => d.mode === 'async')) {
    const manager = es.readModelManager({ onError: (error) => differ(`projection worker error: ${errorCause(error)}`, 'async read models', errorText(error)) });
    await manager.start();
    try {
      await manager.waitForCatchUp({ timeoutMs: 120_000 });
    } catch (error) {
      differ(`async read models did not catch up: ${errorCause(error)}`, 'async read models', errorText(error));
    } finally {
      await manager.stop();
    }
  }
  for (const definition of definitions) {
    const seen = definition.mode === 'inline' ? events.filter((event) => appended.has(event.eventId)) : events;
    const where = `read model ${definition.name} (${definition.mode}, projection ${definition.projection})`;
    let expected: Map<string, unknown>;
    try {
      expected = replay(definition, seen);
    } catch (error) {
      differ(`read-model replay threw: ${errorCause(error)}`, where, errorText(error));
      continue;
    }
    const { rows } = await es.client.query<{ id: string; data: unknown }>(`SELECT id, data FROM ${options.schema}.projections WHERE projection_name = $1`, [definition.projection]);
    const actual = new Map(rows.map((row) => [row.id, row.data]));
    counts.readModelRows += actual.size;
    for (const [id, row] of expected) {
      if (!actual.has(id)) differ('read-model row missing', `${where} row ${JSON.stringify(id)}`, `expected ${show(row)}`);
      else compare(differ, 'read-model row ≠ replay', `${where} row ${JSON.stringify(id)}`, row, actual.get(id));
    }
    for (const [id, row] of actual) if (!expected.has(id)) differ('read-model row that a replay does not produce', `${where} row ${JSON.stringify(id)}`, show(row));
  }
}

function replay(definition: ReadModelDefinition<unknown>, events: readonly EventEnvelope[]): Map<string, unknown> {
  const rows = new Map<string, unknown>();
  for (const event of events) {
    if (!definition.eventTypes.includes(event.type)) continue;
    const key = definition.keyOf(event);
    if (key === undefined) continue;
    const change: ProjectionChange<unknown> = definition.apply(rows.get(key), event);
    if (change.kind === 'upsert') rows.set(key, change.row);
    else if (change.kind === 'delete') rows.delete(key);
  }
  return rows;
}

// Comparison -------------------------------------------------------------------------------------

/** Deep equality as JSON state means it: a property holding undefined is an absent one; NaN equals NaN. */
export function firstDifference(expected: unknown, actual: unknown, path = ''): string | undefined {
  if (expected === actual || (Number.isNaN(expected) && Number.isNaN(actual))) return undefined;
  if (expected instanceof Date || actual instanceof Date) {
    return expected instanceof Date && actual instanceof Date && expected.getTime() === actual.getTime() ? undefined : `${path || '(root)'}: ${show(expected)} ≠ ${show(actual)}`;
  }
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null || Array.isArray(expected) !== Array.isArray(actual)) {
    return `${path || '(root)'}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length !== actual.length) {
    return `${path || '(root)'}: expected ${expected.length} elements ${show(expected)}, got ${actual.length} ${show(actual)}`;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    const a = (expected as Record<string, unknown>)[key];
    const b = (actual as Record<string, unknown>)[key];
    const difference = firstDifference(Object.hasOwn(expected, key) ? a : undefined, Object.hasOwn(actual, key) ? b : undefined, `${path}/${key}`);
    if (difference) return difference;
  }
  return undefined;
}

function compare(differ: (kind: string, where: string, detail: string) => void, kind: string, where: string, expected: unknown, actual: unknown, aggregate?: AggregateModel): void {
  const difference = firstDifference(expected, actual);
  if (difference === undefined) return;
  differ(aggregate ? `${kind}${stateCause(aggregate, difference)}` : kind, where, difference);
}

/** Names the apply rule behind a differing state field, so differences group by cause. */
function stateCause(aggregate: AggregateModel, difference: string): string {
  const field = /^\/([^/:]+)/.exec(difference)?.[1];
  if (!field) return '';
  const sources = new Set<string>();
  for (const event of aggregate.events) {
    for (const rule of event.apply ?? []) {
      if (rule.target !== field) continue;
      sources.add(rule.value.kind === 'envelope' ? `$${rule.value.field}` : rule.value.kind === 'const' ? (rule.value.value === null ? 'null constant' : 'constant') : 'event path');
    }
  }
  const declared = aggregate.state.find((f) => f.name === field);
  if (sources.has('$eventId')) return ' (apply reads $eventId)';
  if (difference.includes('/__proto__')) return ' (a constant with a `__proto__` key)';
  if (declared?.default === null) return ' (default null)';
  return sources.size > 0 ? ` (apply: ${[...sources].sort().join(', ')})` : '';
}

export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? '<undefined>' : v));
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** A short, stable description of an error: its esgen or PostgreSQL code and the shape of its message. */
export function errorCause(error: unknown): string {
  const code = isEsgenError(error) ? error.code : (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const shape = message
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '…')
    .replace(/\/[\w/~-]+/g, '/…')
    .replace(/\d+/g, 'N')
    .slice(0, 120);
  return `${typeof code === 'string' ? `${code} ` : ''}${shape}`;
}

/** Why a save of valid payloads failed: a validator refusing a valid value (which kind), or another error. */
function saveFailure(error: unknown): string {
  if (!isEsgenError(error, 'ESG202')) return `save threw: ${errorCause(error)}`;
  const issue = (error as unknown as { issues: readonly { message: string }[] }).issues[0]?.message ?? '';
  const value = /got the string "(.*)"$/.exec(issue)?.[1];
  const what = issue.replace(/, got .*$/, '').replace(/\(e\.g\. [^)]*\)/, '').trim();
  const year = value !== undefined && /^00\d\d-/.test(value) ? ' (a year 0001–0099)' : '';
  return `save refused a valid payload with InvalidEvent: ${what}${year}`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${isEsgenError(error) ? '' : `\n${(error.stack ?? '').split('\n').slice(1, 6).join('\n')}`}`;
  return String(error);
}

/** Differences grouped by kind: how many, and the first two of each with where and what. */
export function formatDifferences(report: RoundTripReport): string {
  const byKind = new Map<string, Difference[]>();
  for (const difference of report.differences) byKind.set(difference.kind, [...(byKind.get(difference.kind) ?? []), difference]);
  const lines = [`${report.differences.length} differences after ${JSON.stringify(report.counts)}:`];
  for (const [kind, list] of byKind) {
    lines.push(`- ${kind} (${list.length}×)`);
    for (const d of list.slice(0, 2)) lines.push(`    at ${d.where}\n      ${d.detail.replace(/\n/g, '\n      ')}`);
  }
  return lines.join('\n');
}
