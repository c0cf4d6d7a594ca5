// Typed consumers of published events, for services that have only the generated code: see docs/message-bus.md.
export { decodeEvent, type EventCatalog, type IncomingMessage, type PublishedEvent } from './decode-event.js';
export { createMemoryDedupStore, createPostgresDedupStore, type DedupStore, type PostgresDedupStore, type PostgresDedupStoreOptions } from './dedup-store.js';
export { createEventConsumer, type EventConsumer, type EventConsumerOptions, type EventHandlers, type HandlerContext } from './event-consumer.js';
export { defineAggregateConsumer, subjectOf, type AggregateConsumerOptions, type ConsumableAggregate } from './aggregate-consumer.js';
