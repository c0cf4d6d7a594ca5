/**
 * Builds the runtime's view of one aggregate (its spec, event definitions and read models) from
 * the declarations a generated `registry.ts` holds: payload fields per version, upcast steps,
 * personal-data fields. What every generated aggregate would otherwise repeat (version dispatch,
 * the upcast chain, error messages) lives here once.
 */
import type { AggregateSpec, EventDefinition, PersonalDataSpec, ReadModelDefinition, Registry, ValidationResult } from '../contracts.js';
import { check, validateWith, type Check, type FieldChecks } from './checks.js';

/** One event of the spec, as generated code declares it. */
export interface EventSpec {
  /**
   * Payload fields of versions 1..N, in order; the last is the current version. `null`: a retired
   * version (the oldest ones only): no stored event of it remains, and one found is refused.
   */
  readonly versions: readonly (FieldChecks | null)[];
  /**
   * `upcasts[i]` takes a payload of version i+1 to version i+2 (so there are N-1 of them). Absent
   * for an event that only ever had version 1.
   */
  readonly upcasts?: readonly (((data: never) => unknown) | null)[];
  /** Fields of the current version marked `pii: true` (registries generated before personalData). */
  readonly pii?: readonly string[];
  /** The spec's `publish:` for this event (its own, else its aggregate's); absent when neither says. */
  readonly publish?: boolean;
  /** Where the personal data sits, per version, and whose it is. */
  readonly personalData?: PersonalDataSpec;
}

export interface AggregateSpecInput {
  readonly type: string;
  readonly idType: 'string' | 'uuid';
  readonly snapshotEvery?: number;
  readonly stateFingerprint: string;
  /** Every event of the aggregate, by stored event type, in spec order. */
  readonly events: Readonly<Record<string, EventSpec>>;
  readonly readModels?: readonly ReadModelDefinition<any>[];
}

/** An aggregate as the registry holds it: its spec plus its events and read models. */
export interface DefinedAggregate extends AggregateSpec {
  readonly events: Readonly<Record<string, EventDefinition>>;
  readonly readModels: Readonly<Record<string, ReadModelDefinition<any>>>;
}

function retiredVersion(type: string, version: number): string {
  return `${type} version ${version} is retired (the spec says no stored event of it remains): upcast such events with the release that still reads them, or un-retire the version`;
}

function unknownVersion(type: string, version: number, current: number): string {
  return `${type} has no payload version ${version} (known: 1..${current})`;
}

/** The event definition of one event: a validator per stored version and the chain of upcasts to the current one. */
export function defineEvent(type: string, aggregateType: string, spec: EventSpec): EventDefinition {
  const current = spec.versions.length;
  const checks: (Check | null)[] = spec.versions.map((fields, index) => (fields === null ? null : check.record(`${type} v${index + 1}`, fields)));
  const steps = (spec.upcasts ?? []) as readonly (((data: unknown) => unknown) | null)[];
  if (steps.length !== current - 1) throw new TypeError(`${type}: ${current} payload versions need ${current - 1} upcast steps, got ${steps.length}`);
  return {
    type,
    aggregateType,
    version: current,
    validate(version, data): ValidationResult {
      const payload = Number.isInteger(version) ? checks[version - 1] : undefined;
      if (payload === null) return { ok: false, errors: [{ path: '', message: retiredVersion(type, version) }] };
      return payload === undefined ? { ok: false, errors: [{ path: '', message: unknownVersion(type, version, current) }] } : validateWith(payload, data);
    },
    upcast(fromVersion, data) {
      if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > current) throw new RangeError(unknownVersion(type, fromVersion, current));
      let payload = data;
      for (let step = fromVersion - 1; step < current - 1; step++) {
        const upcast = steps[step];
        if (!upcast) throw new RangeError(retiredVersion(type, step + 1));
        payload = upcast(payload);
      }
      return payload;
    },
    piiFields: spec.pii ?? topLevelPii(spec.personalData),
    ...(spec.publish === undefined ? {} : { publish: spec.publish }),
    ...(spec.personalData === undefined ? {} : { personalData: spec.personalData }),
  };
}

/** Fields of the current version that are personal data as a whole or hold some. */
function topLevelPii(personalData: PersonalDataSpec | undefined): string[] {
  const current = personalData?.versions.at(-1) ?? [];
  return [...new Set(current.map((value) => value.path[0]!))];
}

/**
 * One aggregate of a generated registry.
 *
 * @example
 * export const orderAggregate = defineAggregate({ type: 'Order', idType: 'string', stateFingerprint: '…', events: { OrderPaid: { versions: [{ paymentId: check.string }] } } });
 */
export function defineAggregate(spec: AggregateSpecInput): DefinedAggregate {
  const events = Object.fromEntries(Object.entries(spec.events).map(([type, event]) => [type, defineEvent(type, spec.type, event)]));
  return {
    type: spec.type,
    idType: spec.idType,
    snapshotEvery: spec.snapshotEvery,
    stateFingerprint: spec.stateFingerprint,
    eventTypes: Object.keys(spec.events),
    events,
    readModels: Object.fromEntries((spec.readModels ?? []).map((readModel) => [readModel.name, readModel])),
  };
}

/**
 * The registry the runtime takes, gathered from every aggregate of the domain, plus the read models
 * that read events of several aggregates (declared in read-model files, so in no aggregate).
 */
export function defineRegistry(aggregates: readonly DefinedAggregate[], readModels: readonly ReadModelDefinition<any>[] = []): Registry {
  return {
    aggregates: Object.fromEntries(aggregates.map((aggregate) => [aggregate.type, aggregate])),
    events: Object.assign({}, ...aggregates.map((aggregate) => aggregate.events)) as Registry['events'],
    readModels: Object.assign({}, ...aggregates.map((aggregate) => aggregate.readModels), Object.fromEntries(readModels.map((readModel) => [readModel.name, readModel]))) as Registry['readModels'],
  };
}
