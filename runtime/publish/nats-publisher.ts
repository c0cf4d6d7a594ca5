import type { NatsConnection } from '@nats-io/transport-node';
import { createJetStreamPublisher, type StreamSettings } from './jetstream-publisher.js';
import { createPublisher, type Publisher, type PublisherOptions } from './publisher.js';

/**
 * A publisher's settings as `esgen.config.yaml` (`publishers:`) and `es.publisher(…)` take them:
 * the broker (NATS JetStream), the stream, the subjects and which events.
 */
export interface NatsPublisherSettings extends Omit<PublisherOptions, 'client' | 'registry' | 'schema' | 'broker'> {
  /** NATS servers; default 127.0.0.1:4222 (or NATS_URL in the CLI). */
  readonly servers?: string | readonly string[];
  /** An open NATS connection to use instead (not closed by the publisher). */
  readonly connection?: NatsConnection;
  readonly stream: StreamSettings;
  readonly ackTimeoutMs?: number;
}

/** A publisher to NATS JetStream over this database (call start()). */
export function createNatsPublisher(base: Pick<PublisherOptions, 'client' | 'registry' | 'schema'>, settings: NatsPublisherSettings): Publisher {
  const { servers, connection, stream, ackTimeoutMs, ...rest } = settings;
  const broker = createJetStreamPublisher({
    subjectPrefix: settings.subjectPrefix,
    stream,
    ...(servers === undefined ? {} : { servers }),
    ...(connection === undefined ? {} : { connection }),
    ...(ackTimeoutMs === undefined ? {} : { ackTimeoutMs }),
  });
  return createPublisher({ ...base, ...rest, broker });
}
