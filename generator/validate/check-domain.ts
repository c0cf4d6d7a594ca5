import type { Diagnostic } from '../diagnostics/types.js';
import type { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef, ReadModelDef } from '../ir/types.js';
import { checkCrossReadModels } from './check-cross-read-models.js';
import { createCheckContext } from './check-context.js';
import { checkEvents } from './check-events.js';
import { checkNames } from './check-names.js';
import { checkPersonalData } from './check-personal-data.js';
import { checkReadModels } from './check-read-models.js';
import { checkTypes } from './check-types.js';

/** What the checks found in one aggregate on its own, while its (frozen) IR is unchanged. */
const localResults = new WeakMap<AggregateDef, readonly Diagnostic[]>();

/**
 * Semantic checks over every aggregate of the domain at once. Each check reports all it finds;
 * none stops the others, so a run shows every problem. Most of them depend on one aggregate
 * alone: their diagnostics are kept per aggregate (an unchanged spec file keeps its frozen IR),
 * so a watch rebuild checks again only the aggregate that changed, plus the names that must be
 * unique across the domain.
 */
export function checkDomain(aggregates: readonly AggregateDef[], origins: SpecOrigins, readModels: readonly ReadModelDef[] = []): Diagnostic[] {
  const owners = new Map<string, AggregateDef>();
  for (const aggregate of aggregates) for (const event of aggregate.events) if (!owners.has(event.name)) owners.set(event.name, aggregate);
  const diagnostics: Diagnostic[] = [];
  for (const aggregate of aggregates) {
    let local = localResults.get(aggregate);
    if (!local) {
      const found: Diagnostic[] = [];
      const ctx = createCheckContext([aggregate], origins, found);
      // A read model naming another aggregate's event depends on the other files: not kept.
      let dependsOnOthers = false;
      checkNames(ctx, 'local');
      checkTypes(ctx);
      checkEvents(ctx);
      checkPersonalData(ctx);
      checkReadModels(ctx, (event) => {
        dependsOnOthers = true;
        return owners.get(event);
      });
      local = found;
      if (!dependsOnOthers && Object.isFrozen(aggregate)) localResults.set(aggregate, found);
    }
    diagnostics.push(...local);
  }
  checkNames(createCheckContext(aggregates, origins, diagnostics), 'domain');
  // Read models of read-model files relate several files: checked on every load, never kept.
  checkCrossReadModels(aggregates, readModels, origins, diagnostics);
  return diagnostics;
}
