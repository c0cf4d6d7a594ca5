/**
 * esgen.lock: what this project has published. One block per event version (its fingerprint and
 * canonical shape), per read model and per aggregate state, sorted, in YAML: a reviewer reads a
 * lock diff like any other, two branches that add different events touch different blocks, and
 * two branches that add the same version conflict, as they should.
 *
 * Event versions are the contract: `esgen build` adds new ones and re-renders locked ones from the
 * lock itself, never from the spec. Read models and states are re-rendered from the spec on every
 * build: they are derived data (a read model is rebuilt, a state is replayed), so their entries
 * record the current shape and fingerprint for review and for the runtime, not a promise.
 */
import { readModelSources, sourceView } from '../typed/read-model-sources.js';
import { stringify } from 'yaml';
import type { Diagnostic } from '../diagnostics/types.js';
import { emptyLocator, type LocatedLockText } from './lock-text.js';
import { parseTypeExpression } from '../ir/parse-expressions.js';
import type { AggregateDef, EventDef, EventVersionDef, JsonValue, MappingOp, ReadModelDef, ValueExpr } from '../ir/types.js';
import { readModelFingerprint } from '../emit/emit-read-models.js';
import { mappingOpText } from '../ops/mapping-ops.js';
import { stateFingerprint } from '../emit/emit-aggregate-base.js';
import { compareText, fieldTypeText, reachableTypeNames, resolveShape, shapeFingerprint, type ShapeField, type ShapeInput, type TypeLookup, typeLookupOf, type ValueTypeSource } from './canonical-shape.js';

export const lockFileName = 'esgen.lock';
export const lockFormatVersion = 1;

const header = [
  '# esgen.lock: the event versions this project has published, with the shapes of its read models and',
  '# aggregate states. Written by `esgen build`; commit it. A locked event version never changes: add a',
  '# version with an upcast instead. See docs/schema-evolution.md.',
].join('\n');

/** A locked event version, as read from the lock. */
export interface LockedEventVersion {
  readonly key: string;
  readonly event: string;
  readonly version: number;
  readonly aggregate: string;
  readonly fingerprint: string;
  readonly shape: readonly ShapeField[];
  /** The entry as written, re-rendered verbatim by the next build. */
  readonly entry: Record<string, unknown>;
}

export interface LockFile {
  readonly events: ReadonlyMap<string, LockedEventVersion>;
  /** Fingerprints of the read models (by name) and states (by aggregate): compared, never enforced. */
  readonly readModels?: ReadonlyMap<string, string>;
  readonly states?: ReadonlyMap<string, string>;
}

/** `OrderCreated v1`: the key of an event version in the lock and the way messages name it. */
export function eventVersionKey(event: string, version: number): string {
  return `${event} v${version}`;
}

const keyPattern = /^([A-Za-z_][A-Za-z0-9_]*) v([1-9][0-9]*)$/;

/** The canonical shape of an event version in the spec. */
export function specShape(aggregate: AggregateDef, version: EventVersionDef): ShapeField[] {
  return resolveShape(version.fields, typeLookupOf(aggregate));
}

/** `fields:` and `types:` of an entry: each field and each reachable value type on its own line(s). */
function shapeBlock(fields: readonly ShapeInput[], lookup: TypeLookup): Record<string, unknown> {
  const block: Record<string, unknown> = {
    fields: Object.fromEntries([...fields].sort((a, b) => compareText(a.name, b.name)).map((field) => [field.name, fieldTypeText(field.type, field.optional)])),
  };
  const names = reachableTypeNames(
    fields.map((field) => field.type),
    lookup,
  );
  if (names.length > 0) {
    block.types = Object.fromEntries(
      names.map((name) => {
        const type = lookup(name);
        if (!type) return [name, 'undeclared'];
        if (type.kind === 'enum') return [name, [...new Set(type.values)].sort(compareText)];
        return [name, Object.fromEntries([...type.fields].sort((a, b) => compareText(a.name, b.name)).map((field) => [field.name, fieldTypeText(field.type, field.optional)]))];
      }),
    );
  }
  return block;
}

export function eventEntry(aggregate: AggregateDef, version: EventVersionDef): Record<string, unknown> {
  return { fingerprint: shapeFingerprint(specShape(aggregate, version)), aggregate: aggregate.name, ...shapeBlock(version.fields, typeLookupOf(aggregate)) };
}

function valueText(value: ValueExpr): string {
  switch (value.kind) {
    case 'event':
      return `event.${value.path.join('.')}`;
    case 'envelope':
      return `$${value.field}`;
    case 'metadata':
      return `$metadata.${value.key}`;
    case 'const':
      return JSON.stringify(value.value);
    case 'computed':
      return `(${valueText(value.left)} ${value.op} ${valueText(value.right)})`;
  }
}

function opText(op: MappingOp): string {
  return mappingOpText(op, valueText);
}

/** A read model across aggregates: typed against its source view, listing the aggregates it reads where others name theirs. */
function crossReadModelEntry(aggregates: readonly AggregateDef[], model: ReadModelDef): Record<string, unknown> {
  const entry = readModelEntry(sourceView(model, aggregates).view, model);
  return Object.fromEntries(Object.entries(entry).map(([key, value]) => (key === 'aggregate' ? ['aggregates', readModelSources(model, aggregates).map((aggregate) => aggregate.name)] : [key, value])));
}

function readModelEntry(aggregate: AggregateDef, model: ReadModelDef): Record<string, unknown> {
  const lookup = typeLookupOf(aggregate);
  const fields = [...model.fields].sort((a, b) => compareText(a.name, b.name));
  const entry: Record<string, unknown> = {
    fingerprint: readModelFingerprint(model),
    aggregate: aggregate.name,
    projection: model.projection,
    mode: model.mode,
    key:
      model.key.kind === 'aggregateId'
        ? 'aggregateId'
        : Object.fromEntries([...model.key.sources].sort((a, b) => compareText(a.event, b.event)).map((source) => [source.event, `${valueText(source.value)}${source.bucket ? `:${source.bucket}` : ''}`])),
    fields: Object.fromEntries(
      fields.map((field) => {
        const block: Record<string, unknown> = { type: fieldTypeText(field.type, field.optional) };
        if (field.default !== undefined) block.default = field.default as JsonValue;
        if (field.index) block.index = true;
        if (field.unique) block.unique = true;
        if (field.rules.length > 0) block.on = Object.fromEntries([...field.rules].sort((a, b) => compareText(a.event, b.event)).map((rule) => [rule.event, opText(rule.op)]));
        return [field.name, block];
      }),
    ),
  };
  if (model.deleteOn.length > 0) entry.delete = [...model.deleteOn].sort(compareText);
  if (model.customOn.length > 0) entry.custom = [...model.customOn].sort(compareText);
  const types = shapeBlock(model.fields, lookup).types;
  if (types) entry.types = types;
  return entry;
}

function stateEntry(aggregate: AggregateDef): Record<string, unknown> {
  return { fingerprint: stateFingerprint(aggregate), ...shapeBlock(aggregate.state, typeLookupOf(aggregate)) };
}

/** Event versions of the spec that are locked by a build: every version not marked `draft` or `retired` (a retired one keeps its entry). */
export function lockableVersions(aggregate: AggregateDef): { event: EventDef; version: EventVersionDef }[] {
  return aggregate.events.flatMap((event) => event.versions.filter((version) => !version.draft && !version.retired).map((version) => ({ event, version })));
}

/**
 * The lock a build writes: every locked entry of `previous` as it is, the spec's new event
 * versions, and the read models and states as the spec has them now.
 */
export function renderLock(aggregates: readonly AggregateDef[], previous: LockFile | undefined, crossReadModels: readonly ReadModelDef[] = []): string {
  const events = new Map<string, { event: string; version: number; entry: Record<string, unknown> }>();
  for (const locked of previous?.events.values() ?? []) events.set(locked.key, { event: locked.event, version: locked.version, entry: locked.entry });
  for (const aggregate of aggregates) {
    for (const { event, version } of lockableVersions(aggregate)) {
      const key = eventVersionKey(event.name, version.version);
      if (!events.has(key)) events.set(key, { event: event.name, version: version.version, entry: eventEntry(aggregate, version) });
    }
  }
  const sortedEvents = [...events.entries()].sort(([, a], [, b]) => compareText(a.event, b.event) || a.version - b.version);
  const readModels = [
    ...aggregates.flatMap((aggregate) => aggregate.readModels.map((model) => [model.name, readModelEntry(aggregate, model)] as const)),
    ...crossReadModels.map((model) => [model.name, crossReadModelEntry(aggregates, model)] as const),
  ].sort(([a], [b]) => compareText(a, b));
  const states = aggregates.map((aggregate) => [aggregate.name, stateEntry(aggregate)] as const).sort(([a], [b]) => compareText(a, b));
  const document = {
    lockVersion: lockFormatVersion,
    events: Object.fromEntries(sortedEvents.map(([key, { entry }]) => [key, entry])),
    readModels: Object.fromEntries(readModels),
    states: Object.fromEntries(states),
  };
  // No line folding, plain scalars where YAML allows them: the same input gives the same bytes.
  return `${header}\n${stringify(document, { lineWidth: 0, minContentWidth: 0, indent: 2, version: '1.2' })}`;
}

/** Reads the event entries of a lock. Problems are ESG175 diagnostics located in the lock file. */
export function parseLock(located: LocatedLockText): { lock: LockFile; diagnostics: Diagnostic[] } {
  const { file, value } = located;
  const locator = located.locator ?? emptyLocator;
  const diagnostics: Diagnostic[] = [];
  const problem = (path: (string | number)[], message: string, hint = 'restore the entry from version control (`git checkout -- esgen.lock`); entries are written by `esgen build`') => {
    diagnostics.push({ code: 'ESG175', severity: 'error', message, file, ...locator.locate(path, 'key'), hint });
  };
  const events = new Map<string, LockedEventVersion>();
  if (!value) return { lock: { events }, diagnostics };
  if (value.lockVersion !== lockFormatVersion) problem(['lockVersion'], `esgen.lock is format version ${JSON.stringify(value.lockVersion)}, but this esgen reads version ${lockFormatVersion}`, 'upgrade esgen, or restore the lock from version control');
  const rawEvents = value.events ?? {};
  if (!isPlainObject(rawEvents)) {
    problem(['events'], '`events` of esgen.lock is not a mapping');
    return { lock: { events }, diagnostics };
  }
  for (const [key, raw] of Object.entries(rawEvents)) {
    const at = ['events', key];
    const match = keyPattern.exec(key);
    if (!match) {
      problem(at, `\`${key}\` is not an event version key like \`OrderCreated v1\``);
      continue;
    }
    if (!isPlainObject(raw) || typeof raw.fingerprint !== 'string' || typeof raw.aggregate !== 'string' || (raw.fields !== undefined && raw.fields !== null && !isPlainObject(raw.fields))) {
      problem(at, `the entry \`${key}\` needs \`fingerprint\`, \`aggregate\` and \`fields\``);
      continue;
    }
    const parsedFields = parseFields(raw.fields ?? {}, [...at, 'fields'], problem);
    const types = new Map<string, ValueTypeSource>();
    for (const [name, type] of Object.entries(isPlainObject(raw.types) ? raw.types : {})) {
      if (Array.isArray(type)) types.set(name, { kind: 'enum', values: type.map(String) });
      else if (isPlainObject(type)) types.set(name, { kind: 'record', fields: parseFields(type, [...at, 'types', name], problem) });
    }
    const shape = resolveShape(parsedFields, (name) => types.get(name));
    events.set(key, { key, event: match[1]!, version: Number(match[2]), aggregate: raw.aggregate, fingerprint: raw.fingerprint, shape, entry: raw });
  }
  return { lock: { events, readModels: fingerprints(value.readModels), states: fingerprints(value.states) }, diagnostics };
}

function fingerprints(raw: unknown): Map<string, string> {
  if (!isPlainObject(raw)) return new Map();
  return new Map(Object.entries(raw).flatMap(([name, entry]) => (isPlainObject(entry) && typeof entry.fingerprint === 'string' ? [[name, entry.fingerprint] as const] : [])));
}

/** The fingerprints a build records for the read models and states of the spec. */
export function derivedFingerprints(aggregates: readonly AggregateDef[], crossReadModels: readonly ReadModelDef[] = []): { readModels: Map<string, { fingerprint: string; model: ReadModelDef }>; states: Map<string, { fingerprint: string; aggregate: AggregateDef }> } {
  return {
    readModels: new Map([...aggregates.flatMap((aggregate) => aggregate.readModels), ...crossReadModels].map((model) => [model.name, { fingerprint: readModelFingerprint(model), model }] as const)),
    states: new Map(aggregates.map((aggregate) => [aggregate.name, { fingerprint: stateFingerprint(aggregate), aggregate }] as const)),
  };
}

function parseFields(raw: Record<string, unknown>, path: (string | number)[], problem: (path: (string | number)[], message: string) => void): ShapeInput[] {
  return Object.entries(raw).flatMap(([name, text]) => {
    const parsed = parseTypeExpression(text);
    if (!parsed.ok) {
      problem([...path, name], `\`${String(text)}\` in esgen.lock is not a type expression`);
      return [];
    }
    return [{ name, type: parsed.value.type, optional: parsed.value.optional }];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
