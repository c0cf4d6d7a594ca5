/**
 * Runs every emitter over the IR. Files of one aggregate depend only on that aggregate's IR (and
 * the emit options), so a build session can reuse them while the aggregate's hash is unchanged;
 * the few top-level files depend on the list of aggregates.
 */
import { createHash } from 'node:crypto';
import type { AggregateDef, DomainIR } from '../ir/types.js';
import { emitAggregateBase } from './emit-aggregate-base.js';
import { emitBus, hasBus } from './emit-bus.js';
import type { EmitContext, EmittedFile, ScaffoldFile } from './emit-context.js';
import { emitEvents } from './emit-events.js';
import { emitAggregateIndex, emitIndex } from './emit-index.js';
import { emitCrossReadModel } from './emit-cross-read-models.js';
import { emitReadModels } from './emit-read-models.js';
import { emitAggregateRegistry, emitRegistry } from './emit-registry.js';
import { createScaffoldRenderer, emitScaffolds } from './emit-scaffolds.js';
import { emitTypes } from './emit-types.js';
import { canonicalJson } from './fingerprint.js';

export interface EmittedAggregate {
  readonly files: readonly EmittedFile[];
  readonly scaffolds: readonly ScaffoldFile[];
}

export type ScaffoldRenderer = ReturnType<typeof createScaffoldRenderer>;

export interface AggregateEmitContext extends EmitContext {
  /** The output folder as seen from the source folder, forward slashes. */
  readonly generatedFromSource: string;
  readonly render: ScaffoldRenderer;
}

export function emitAggregate(aggregate: AggregateDef, context: AggregateEmitContext): EmittedAggregate {
  return {
    files: [
      emitTypes(aggregate, context),
      emitEvents(aggregate, context),
      emitAggregateBase(aggregate, context),
      emitReadModels(aggregate, context),
      emitAggregateRegistry(aggregate, context),
      ...(hasBus(aggregate) ? [emitBus(aggregate, context)] : []),
      emitAggregateIndex(aggregate, context),
    ],
    scaffolds: emitScaffolds(aggregate, context, context.render),
  };
}

/** Files built from the whole domain. */
export function emitShared(domain: DomainIR, context: EmitContext): EmittedFile[] {
  return [...(domain.readModels ?? []).map((model) => emitCrossReadModel(model, domain, context)), emitRegistry(domain, context), emitIndex(domain, context)];
}

/**
 * Hash of what an aggregate's output depends on: its IR. The loader builds IR objects with a fixed
 * key order, so plain JSON is stable. Source locations are included: they only move when the
 * aggregate's own file changed, and skipping them would cost a full copy of the IR per build.
 */
export function aggregateHash(aggregate: AggregateDef): string {
  // IR nodes are frozen and the loader's cache hands out the same aggregate while its file is
  // unchanged, so the hash is computed once per aggregate, not once per build.
  let hash = aggregateHashes.get(aggregate);
  if (hash === undefined) {
    hash = createHash('sha256').update(JSON.stringify(aggregate)).digest('hex');
    if (Object.isFrozen(aggregate)) aggregateHashes.set(aggregate, hash);
  }
  return hash;
}

const aggregateHashes = new WeakMap<AggregateDef, string>();

/**
 * Hash of what the shared files depend on: aggregate names, files and event names; with read
 * models across aggregates, those and every aggregate (their payload types shape the read models).
 */
export function sharedHash(domain: DomainIR): string {
  const outline: unknown[] = domain.aggregates.map((aggregate) => [aggregate.name, aggregate.file, aggregate.events.map((event) => event.name), aggregate.types.map((type) => type.name), aggregate.readModels.map((readModel) => readModel.name)]);
  if (domain.readModels !== undefined) outline.push(domain.readModels, domain.aggregates.map(aggregateHash));
  return createHash('sha256').update(canonicalJson(outline)).digest('hex');
}

export { createScaffoldRenderer };
