import type { Diagnostic } from '../diagnostics/types.js';
import type { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef } from '../ir/types.js';
import { createCheckContext } from './check-context.js';
import { checkEvents } from './check-events.js';
import { checkNames } from './check-names.js';
import { checkReadModels } from './check-read-models.js';
import { checkTypes } from './check-types.js';

/**
 * Semantic checks over every aggregate of the domain at once. Each check reports all it finds;
 * none stops the others, so a run shows every problem.
 */
export function checkDomain(aggregates: readonly AggregateDef[], origins: SpecOrigins): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ctx = createCheckContext(aggregates, origins, diagnostics);
  checkNames(ctx);
  checkTypes(ctx);
  checkEvents(ctx);
  checkReadModels(ctx);
  return diagnostics;
}
