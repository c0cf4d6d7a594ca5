/**
 * Given/when/then for aggregates, in memory: the past as events, a command, and the events it
 * should raise (or the error it should throw, or the state it should leave). Payloads are typed by
 * the aggregate's generated event map and checked with its generated validators, so a test cannot
 * feed an aggregate a payload the store would refuse. The references are Emmett's
 * DeciderSpecification and EventSauce's AggregateRootTestCase.
 */
import { deepStrictEqual } from 'node:assert/strict';
import type { AggregateSpec, EventContext, EventDefinition } from '../contracts.js';
import type { EventsOfAggregate } from '../codegen/spec-aggregate.js';
import { ScenarioFailed, describeError } from './scenario-failed.js';

/** An event of the aggregate, with its current payload. */
export type ScenarioEvent<TEvents> = {
  [K in keyof TEvents & string]: {
    readonly type: K;
    readonly data: TEvents[K];
    /** When it happened (default: the scenario clock, one second apart from 2026-01-01T00:00:00Z). */
    readonly occurredAt?: Date;
  };
}[keyof TEvents & string];

/** What a scenario needs of an aggregate class: the generated base class gives it. */
export interface ScenarioAggregateClass<TAggregate> {
  new (id: string): TAggregate;
  readonly definition: AggregateSpec & { readonly events?: Readonly<Record<string, EventDefinition>> };
}

/** The slice of an aggregate a scenario drives (every generated aggregate has it). */
export interface ScenarioAggregate {
  readonly version: number;
  replay(event: { type: string; data: unknown }, context: EventContext): void;
  uncommittedEvents(): readonly { readonly event: { readonly type: string; readonly data: unknown } }[];
  snapshotState(): unknown;
}

type MaybePromise<T> = T | Promise<T>;
type ErrorClass = abstract new (...args: never[]) => Error;

/** The first moment of the scenario clock. */
const clockStart = Date.UTC(2026, 0, 1);

/**
 * Starts a scenario: an aggregate of this class with these events in its past.
 *
 * @example
 * given(Order, [{ type: 'OrderCreated', data: created }]).when((order) => order.pay('pay-1', 25)).then([{ type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } }]);
 */
export function given<TAggregate extends ScenarioAggregate>(
  aggregateClass: ScenarioAggregateClass<TAggregate>,
  past: readonly ScenarioEvent<EventsOfAggregate<TAggregate>>[] = [],
  options: { readonly id?: string } = {},
): AggregateScenario<TAggregate> {
  return new AggregateScenario(aggregateClass, past as readonly ScenarioEvent<Record<string, unknown>>[], options.id ?? 'scenario-1');
}

export class AggregateScenario<TAggregate extends ScenarioAggregate> {
  constructor(
    private readonly aggregateClass: ScenarioAggregateClass<TAggregate>,
    private readonly past: readonly ScenarioEvent<Record<string, unknown>>[],
    private readonly id: string,
  ) {}

  /** The command under test: call one business method of the aggregate. */
  when(command: (aggregate: TAggregate) => MaybePromise<unknown>): AggregateOutcome<TAggregate> {
    return new AggregateOutcome(() => this.build(), command);
  }

  /** Asserts the state the past leaves (a subset of fields), with no command. */
  thenState(expected: Partial<StateOf<TAggregate>>): void {
    expectState(this.build(), expected);
  }

  private build(): TAggregate {
    const aggregate = new this.aggregateClass(this.id);
    const definition = this.aggregateClass.definition;
    this.past.forEach((event, index) => {
      checkPayload(definition, event, `given event ${index + 1}`);
      const occurredAt = event.occurredAt ?? new Date(clockStart + index * 1000);
      aggregate.replay(
        { type: event.type, data: event.data },
        { eventId: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`, aggregateType: definition.type, aggregateId: this.id, version: index + 1, occurredAt, correlationId: null, causationId: null, metadata: {} },
      );
    });
    return aggregate;
  }
}

type StateOf<TAggregate> = TAggregate extends { readonly state: infer S } ? S : never;

export class AggregateOutcome<TAggregate extends ScenarioAggregate> {
  constructor(
    private readonly build: () => TAggregate,
    private readonly command: (aggregate: TAggregate) => MaybePromise<unknown>,
  ) {}

  /** The command raises exactly these events, in this order (payloads compared deeply). `[]`: it raises none. */
  then(expected: readonly ScenarioEvent<EventsOfAggregate<TAggregate>>[]): MaybePromise<void> {
    return this.run((aggregate, failure) => {
      if (failure !== undefined) throw new ScenarioFailed(`expected the command to raise ${describeEvents(expected)}, but it threw ${describeError(failure)}`, { cause: failure });
      const raised = raisedEvents(aggregate);
      const definition = (aggregate.constructor as ScenarioAggregateClass<TAggregate>).definition;
      raised.forEach((event, index) => checkPayload(definition, event, `raised event ${index + 1}`));
      try {
        deepStrictEqual(raised, expected.map(({ type, data }) => ({ type, data })));
      } catch (difference) {
        throw new ScenarioFailed(`expected the command to raise ${describeEvents(expected)}, but it raised ${describeEvents(raised)}\n${(difference as Error).message}`);
      }
    });
  }

  /** The command throws an instance of `errorClass` (and, when given, a message matching `message`). */
  thenThrows(errorClass: ErrorClass, message?: string | RegExp): MaybePromise<void> {
    return this.run((aggregate, failure) => {
      if (failure === undefined) throw new ScenarioFailed(`expected the command to throw ${errorClass.name}, but it raised ${describeEvents(raisedEvents(aggregate))}`);
      if (!(failure instanceof errorClass)) throw new ScenarioFailed(`expected the command to throw ${errorClass.name}, but it threw ${describeError(failure)}`, { cause: failure });
      const text = (failure as Error).message;
      if (message !== undefined && !(typeof message === 'string' ? text.includes(message) : message.test(text))) {
        throw new ScenarioFailed(`expected ${errorClass.name} with a message matching ${String(message)}, got ${JSON.stringify(text)}`);
      }
    });
  }

  /** After the command, the state holds these fields (a subset). */
  thenState(expected: Partial<StateOf<TAggregate>>): MaybePromise<void> {
    return this.run((aggregate, failure) => {
      if (failure !== undefined) throw new ScenarioFailed(`expected a state, but the command threw ${describeError(failure)}`, { cause: failure });
      expectState(aggregate, expected);
    });
  }

  /** Synchronous commands are checked synchronously; a command that returns a promise makes the check a promise (await it). */
  private run(check: (aggregate: TAggregate, failure: unknown) => void): MaybePromise<void> {
    const aggregate = this.build();
    let result: unknown;
    try {
      result = this.command(aggregate);
    } catch (failure) {
      return check(aggregate, failure ?? new Error(String(failure)));
    }
    if (result instanceof Promise) {
      return result.then(
        () => check(aggregate, undefined),
        (failure: unknown) => check(aggregate, failure ?? new Error(String(failure))),
      );
    }
    return check(aggregate, undefined);
  }
}

function raisedEvents(aggregate: ScenarioAggregate): { type: string; data: unknown }[] {
  return aggregate.uncommittedEvents().map(({ event }) => ({ type: event.type, data: event.data }));
}

function expectState(aggregate: ScenarioAggregate, expected: object): void {
  const state = aggregate.snapshotState() as Record<string, unknown>;
  const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, state[key]]));
  try {
    deepStrictEqual(picked, expected);
  } catch (difference) {
    throw new ScenarioFailed(`the state differs from what was expected\n${(difference as Error).message}`);
  }
}

/** The generated validator of the current version: the same check the store makes on append. */
function checkPayload(definition: ScenarioAggregateClass<unknown>['definition'], event: { type: string; data: unknown }, what: string): void {
  if (!definition.eventTypes.includes(event.type)) throw new ScenarioFailed(`${what} is ${event.type}, which is not an event of ${definition.type} (its events: ${definition.eventTypes.join(', ')})`);
  const eventDefinition = definition.events?.[event.type];
  if (eventDefinition === undefined) return;
  const result = eventDefinition.validate(eventDefinition.version, event.data);
  if (!result.ok) {
    const first = result.errors[0]!;
    throw new ScenarioFailed(`${what} (${event.type}) has an invalid payload at ${first.path === '' ? '(payload)' : first.path}: ${first.message}`);
  }
}

function describeEvents(events: readonly { readonly type: string }[]): string {
  return events.length === 0 ? 'no events' : `[${events.map((event) => event.type).join(', ')}]`;
}
