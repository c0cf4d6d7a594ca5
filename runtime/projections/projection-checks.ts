/**
 * Argument checks of the read-model API (queries, projection admin, rebuilds, workers): see
 * runtime/argument-checks.ts for the limits. Each runs before the first statement.
 */
import type { Registry } from '../contracts.js';
import { arrayOf, describeValue, integerIn, optionalFunction, optionsObject, position, storableName } from '../argument-checks.js';
import { InvalidArgument, UnknownEventType } from '../errors.js';
import { UnknownProjection } from './projection-errors.js';

/** A projection or subscription name as given (`name` or `projection`). */
export function projectionName(argument: string, value: unknown): string {
  return storableName(argument, value);
}

/** Options of the projection admin functions ({ schema, position }). */
export function checkAdminOptions(options: unknown): { readonly schema?: string; readonly position?: bigint } {
  const given = optionsObject('options', options as object | undefined) as { schema?: unknown; position?: unknown };
  if (given.position !== undefined) position('options.position', given.position);
  return given as { schema?: string; position?: bigint };
}

/** Options of a rebuild or reset. */
export function checkRebuildOptions(options: unknown): void {
  const given = optionsObject('options', options as object | undefined) as { until?: unknown; onProgress?: unknown; catchUpTimeoutMs?: unknown };
  if (given.until !== undefined) position('options.until', given.until);
  optionalFunction('options.onProgress', given.onProgress);
  if (given.catchUpTimeoutMs !== undefined) integerIn('options.catchUpTimeoutMs', given.catchUpTimeoutMs, 1, MAX_TIMER_MS);
}

/** setTimeout's limit: longer delays fire at once (Node prints a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of waitForCatchUp. */
export function checkWaitOptions(registry: Registry, options: unknown): void {
  const given = optionsObject('options', options as object | undefined) as { projections?: unknown; timeoutMs?: unknown; pollMs?: unknown };
  if (given.timeoutMs !== undefined) integerIn('options.timeoutMs', given.timeoutMs, 0, MAX_TIMER_MS);
  if (given.pollMs !== undefined) integerIn('options.pollMs', given.pollMs, 1, MAX_TIMER_MS);
  if (given.projections !== undefined) checkProjectionList(registry, 'options.projections', given.projections);
}

/** A list of read models of the registry, by projection or read-model name (not a string, which would spread into characters). */
export function checkProjectionList(registry: Registry, argument: string, value: unknown): void {
  const definitions = Object.values(registry.readModels);
  arrayOf(argument, value).forEach((name, index) => {
    const text = storableName(`${argument}[${index}]`, name);
    if (!definitions.some((definition) => definition.projection === text || definition.name === text)) {
      throw new UnknownProjection(text, definitions.map((definition) => definition.projection));
    }
  });
}

/** Options shared by workers (read-model managers, subscriptions, replayers). */
export function checkWorkerOptions(options: unknown): void {
  const given = optionsObject('options', options as object | undefined) as Record<string, unknown>;
  if (given.workerId !== undefined) storableName('options.workerId', given.workerId);
  if (given.batchSize !== undefined) integerIn('options.batchSize', given.batchSize, 1, 1_000_000);
  if (given.leaseSeconds !== undefined) integerIn('options.leaseSeconds', given.leaseSeconds, 1, 86_400);
  if (given.pollIntervalMs !== undefined) integerIn('options.pollIntervalMs', given.pollIntervalMs, 1, MAX_TIMER_MS);
  optionalFunction('options.onError', given.onError);
  optionalFunction('options.onBatch', given.onBatch);
}

/** Options of a read-model manager. */
export function checkManagerOptions(options: unknown): void {
  checkWorkerOptions(options);
  const given = options as { registry: Registry; lock?: unknown; projections?: unknown };
  if (given.lock !== undefined && given.lock !== 'row-lock' && given.lock !== 'advisory-xact') {
    throw new InvalidArgument('options.lock', `must be 'row-lock' or 'advisory-xact'; got ${describeValue(given.lock)}`);
  }
  if (given.projections !== undefined) checkProjectionList(given.registry, 'options.projections', given.projections);
  checkShapeChangePolicy('options.onShapeChange', (options as { onShapeChange?: unknown }).onShapeChange);
  optionalFunction('options.onShapeRebuild', (options as { onShapeRebuild?: unknown }).onShapeRebuild);
}

/** `onShapeChange` (read-model-shapes.ts): absent, 'rebuild' or 'refuse'. */
export function checkShapeChangePolicy(argument: string, value: unknown): void {
  if (value !== undefined && value !== 'rebuild' && value !== 'refuse') {
    throw new InvalidArgument(argument, `must be 'rebuild' or 'refuse'; got ${describeValue(value)}`);
  }
}

/** Options of subscribe: the worker options, a start, and event types of the registry. */
export function checkSubscribeOptions(options: unknown, handler: unknown): void {
  checkWorkerOptions(options);
  const given = options as { registry: Registry; from?: unknown; eventTypes?: unknown };
  if (typeof handler !== 'function') throw new InvalidArgument('handler', `must be a function (event) => …; got ${describeValue(handler)}`);
  if (given.from !== undefined && given.from !== 'start' && given.from !== 'now') {
    if (typeof given.from !== 'bigint') throw new InvalidArgument('options.from', `must be 'start', 'now' or a global position (bigint); got ${describeValue(given.from)}`);
    position('options.from', given.from);
  }
  if (given.eventTypes !== undefined) {
    arrayOf('options.eventTypes', given.eventTypes).forEach((type, index) => {
      const name = storableName(`options.eventTypes[${index}]`, type);
      if (!Object.hasOwn(given.registry.events, name)) throw new UnknownEventType(name);
    });
  }
}
