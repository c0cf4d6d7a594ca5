/**
 * `esgen/testing`: given/when/then for the aggregates and read models of a generated domain, in
 * memory, with no database. Kept out of `esgen/runtime` so applications do not ship test code.
 *
 * @example
 * import { given } from 'esgen/testing';
 * given(Order, [{ type: 'OrderCreated', data: created }]).when((order) => order.pay('pay-1', 25)).then([{ type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } }]);
 * given(orderListReadModel, [{ type: 'OrderCreated', data: created, aggregateId: 'order-1' }]).thenRow('order-1', { status: 'pending' });
 */
import type { ReadModelDefinition } from '../contracts.js';
import type { EventsOfAggregate } from '../codegen/spec-aggregate.js';
import { given as givenAggregate, type AggregateScenario, type ScenarioAggregate, type ScenarioAggregateClass, type ScenarioEvent } from './aggregate-scenario.js';
import { ReadModelScenario, type ReadModelScenarioEvent } from './read-model-scenario.js';

export { AggregateOutcome, AggregateScenario, type ScenarioAggregateClass, type ScenarioEvent } from './aggregate-scenario.js';
export { ReadModelScenario, type ReadModelScenarioEvent } from './read-model-scenario.js';
export { ScenarioFailed } from './scenario-failed.js';

/** An aggregate class and its past events → a scenario; a read model and events → its rows. */
export function given<TAggregate extends ScenarioAggregate>(
  aggregateClass: ScenarioAggregateClass<TAggregate>,
  past?: readonly ScenarioEvent<EventsOfAggregate<TAggregate>>[],
  options?: { readonly id?: string },
): AggregateScenario<TAggregate>;
export function given<TRow>(readModel: ReadModelDefinition<TRow>, events: readonly ReadModelScenarioEvent[]): ReadModelScenario<TRow>;
export function given(subject: unknown, events?: readonly unknown[], options?: { readonly id?: string }): unknown {
  if (typeof subject === 'function') return givenAggregate(subject as ScenarioAggregateClass<ScenarioAggregate>, (events ?? []) as never, options);
  return new ReadModelScenario(subject as ReadModelDefinition<unknown>, (events ?? []) as readonly ReadModelScenarioEvent[]);
}
