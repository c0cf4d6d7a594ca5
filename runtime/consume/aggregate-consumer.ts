import { InvalidArgument } from '../errors.js';
import { isSubjectPrefix } from '../publish/published-message.js';
import type { EventCatalog } from './decode-event.js';
import { createEventConsumer, type EventConsumer, type EventConsumerOptions } from './event-consumer.js';

/** What a generated `consume<Aggregate>Events` takes: the consumer's options without the registry, plus the publisher's subject prefix. */
export interface AggregateConsumerOptions<TEvents extends object> extends Omit<EventConsumerOptions<TEvents>, 'registry' | 'filterSubject'> {
  /** The publisher's `subjectPrefix`, e.g. `shop`: the consumer reads `<prefix>.<AggregateType>.>`. */
  readonly subjectPrefix: string;
}

/** The slice of a generated aggregate definition a consumer needs: its type and event definitions (validators, upcasts). */
export interface ConsumableAggregate extends EventCatalog {
  readonly type: string;
}

/**
 * A subject below the publisher's prefix: `subjectOf('shop', OrderSubjects.OrderPaid)` →
 * `shop.Order.OrderPaid`. The generated `<Aggregate>Subjects` hold the part after the prefix,
 * because the prefix is chosen per deployment (the publisher's `subjectPrefix`).
 */
export function subjectOf(prefix: string, subject: string): string {
  if (!isSubjectPrefix(prefix)) throw new InvalidArgument('subject prefix', `must be dot-separated NATS tokens without spaces, '*' or '>'; got ${JSON.stringify(prefix)}`);
  return `${prefix}.${subject}`;
}

/**
 * The typed consumer of one aggregate's public events, as generated code declares it
 * (`export const consumeOrderEvents = defineAggregateConsumer<OrderPublicEvents>(orderAggregate)`):
 * a durable JetStream consumer filtered to `<prefix>.<AggregateType>.>`, decoding with the
 * aggregate's generated validators and upcasts. Messages of events without a handler (internal
 * events a publisher's config chose to publish, say) are acknowledged and ignored.
 */
export function defineAggregateConsumer<TEvents extends object>(aggregate: ConsumableAggregate): (options: AggregateConsumerOptions<TEvents>) => Promise<EventConsumer> {
  return async ({ subjectPrefix, ...options }) =>
    createEventConsumer<TEvents>({ ...options, registry: { events: aggregate.events }, filterSubject: subjectOf(subjectPrefix, `${aggregate.type}.>`) });
}
