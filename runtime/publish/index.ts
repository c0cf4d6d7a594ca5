// Publishing events to a message bus (NATS JetStream): see docs/message-bus.md.
export type { EventPublisher, SendResult } from './event-publisher.js';
export { createJetStreamPublisher, type JetStreamPublisherOptions, type StreamSettings } from './jetstream-publisher.js';
export { createNatsPublisher, type NatsPublisherSettings } from './nats-publisher.js';
export { createPublisher, type Publisher, type PublisherOptions, type PublishReport } from './publisher.js';
export { EVENT_HEADERS, eventSubject, toOutgoingMessage, type OutgoingMessage, type StoredEventRow } from './published-message.js';
export {
  InvalidPublishedEvent,
  InvalidPublisherConfig,
  PublisherNotFailed,
  PublisherStreamMismatch,
  PublishError,
  PublishFailed,
  UnknownPublisher,
} from './publish-errors.js';
// Operator functions (status, pause, retry, skip) are in esgen/runtime/admin.
