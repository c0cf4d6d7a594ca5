import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, StreamConfig } from '@nats-io/jetstream';
import type { EventPublisher, SendResult } from './event-publisher.js';
import { InternalError } from '../errors.js';
import { PublisherStreamMismatch } from './publish-errors.js';

/** The stream a publisher writes to; created when missing, verified (and by default updated) when present. */
export interface StreamSettings {
  readonly name: string;
  /** Subjects the stream captures. Default `[<prefix>.>]`. */
  readonly subjects?: readonly string[];
  /**
   * How long JetStream remembers message ids (= event ids) to drop re-publishes. Default 120 s
   * (JetStream's own default). Re-publishes later than this are stored twice: consumers dedupe.
   */
  readonly duplicateWindowSeconds?: number;
  /** Largest message the stream accepts (bytes); larger events stop the publisher (poison). */
  readonly maxMessageBytes?: number;
  /** Messages older than this are discarded by the stream. Default: kept (limits policy). */
  readonly maxAgeSeconds?: number;
  readonly storage?: 'file' | 'memory';
  readonly replicas?: number;
  /** When the existing stream's settings differ: update them (default true) or refuse to start (false). */
  readonly update?: boolean;
}

export interface JetStreamPublisherOptions {
  /** NATS servers; default 127.0.0.1:4222. Ignored when `connection` is given. */
  readonly servers?: string | readonly string[];
  /** A connection the application already has; it is not closed by close(). */
  readonly connection?: NatsConnection;
  /** First subject tokens: events go to `<prefix>.<AggregateType>.<EventType>`. */
  readonly subjectPrefix: string;
  readonly stream: StreamSettings;
  /** How long to wait for each PubAck. Default 5000 ms. */
  readonly ackTimeoutMs?: number;
}

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * JetStream's error codes that publishing the same message again cannot fix. 10054: message
 * larger than the stream's max_msg_size. Anything else (timeouts, no responders during a leader
 * election or a restart, a lost connection) is transient and retried.
 */
const POISON_CODES = new Set([10054]);

type NatsModules = { readonly core: typeof import('@nats-io/transport-node'); readonly js: typeof import('@nats-io/jetstream') };
let loaded: Promise<NatsModules> | undefined;

/** The NATS client is loaded on first use: applications that never publish do not pay for it. */
export function loadNats(): Promise<NatsModules> {
  loaded ??= Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]).then(([core, js]) => ({ core, js }));
  return loaded;
}

/** Sends events to a JetStream stream, one message per event, `Nats-Msg-Id` = event id. */
export function createJetStreamPublisher(options: JetStreamPublisherOptions): EventPublisher {
  const settings = options.stream;
  const subjects = [...(settings.subjects ?? [`${options.subjectPrefix}.>`])];
  const ackTimeoutMs = options.ackTimeoutMs ?? 5000;
  let connection: NatsConnection | undefined = options.connection;
  let client: JetStreamClient | undefined;
  let nats: NatsModules | undefined;

  async function open(): Promise<NatsConnection> {
    nats ??= await loadNats();
    if (connection !== undefined) return connection;
    const servers = options.servers ?? '127.0.0.1:4222';
    // Reconnect forever: a broker restart must not end the publisher; sends time out meanwhile
    // and are retried by the publisher loop.
    connection = await nats.core.connect({
      servers: typeof servers === 'string' ? servers : [...servers],
      name: `esgen-publisher-${settings.name}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
      timeout: 5000,
    });
    return connection;
  }

  function wanted(): Partial<StreamConfig> {
    return {
      subjects,
      duplicate_window: (settings.duplicateWindowSeconds ?? 120) * NANOS_PER_SECOND,
      ...(settings.maxMessageBytes === undefined ? {} : { max_msg_size: settings.maxMessageBytes }),
      ...(settings.maxAgeSeconds === undefined ? {} : { max_age: settings.maxAgeSeconds * NANOS_PER_SECOND }),
      ...(settings.replicas === undefined ? {} : { num_replicas: settings.replicas }),
    };
  }

  return {
    destination: `nats stream ${settings.name} (${subjects.join(', ')})`,
    async prepare() {
      const nc = await open();
      const { JetStreamApiError, StorageType, jetstream, jetstreamManager } = nats!.js;
      const jsm = await jetstreamManager(nc);
      const config = wanted();
      let existing: StreamConfig | undefined;
      try {
        existing = (await jsm.streams.info(settings.name)).config;
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === 10059)) throw error; // 10059: stream not found
      }
      if (existing === undefined) {
        await jsm.streams.add({
          name: settings.name,
          ...config,
          storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
        });
      } else {
        const problems = differences(existing, config);
        if (settings.storage !== undefined && existing.storage !== (settings.storage === 'memory' ? StorageType.Memory : StorageType.File)) {
          throw new PublisherStreamMismatch(settings.name, [`storage is ${existing.storage}, the config says ${settings.storage} (storage cannot change)`]);
        }
        if (problems.length > 0) {
          if (settings.update === false) throw new PublisherStreamMismatch(settings.name, problems);
          const merged = {
            ...config,
            subjects: [...new Set([...existing.subjects, ...subjects])],
          };
          await jsm.streams.update(settings.name, merged);
        }
      }
      client = jetstream(nc, { timeout: ackTimeoutMs });
    },
    async send(messages) {
      if (client === undefined || nats === undefined) throw new InternalError('the JetStream publisher was used before it was prepared');
      const js = client;
      const modules = nats;
      const settled = await Promise.allSettled(
        messages.map((message) => {
          const headers = modules.core.headers();
          for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
          return js.publish(message.subject, message.payload, {
            msgID: message.messageId,
            headers,
            timeout: ackTimeoutMs,
            retries: 0,
          });
        }),
      );
      let duplicates = 0;
      for (let index = 0; index < settled.length; index++) {
        const outcome = settled[index]!;
        if (outcome.status === 'fulfilled') {
          if (outcome.value.duplicate) duplicates++;
          continue;
        }
        const reason = poisonReason(modules, outcome.reason);
        if (reason === undefined) throw outcome.reason;
        return {
          acknowledged: index,
          rejected: { reason },
          duplicates,
        } satisfies SendResult;
      }
      return { acknowledged: messages.length, duplicates };
    },
    async close() {
      if (options.connection === undefined && connection !== undefined) await connection.close().catch(() => undefined);
      connection = undefined;
      client = undefined;
    },
  };
}

function poisonReason({ core, js }: NatsModules, error: unknown): string | undefined {
  if (error instanceof core.InvalidArgumentError) return error.message; // larger than the server's max_payload
  if (error instanceof js.JetStreamApiError && POISON_CODES.has(error.code)) return `${error.message} (JetStream error ${error.code})`;
  return undefined;
}

function differences(existing: StreamConfig, wanted: Partial<StreamConfig>): string[] {
  const problems: string[] = [];
  const missing = (wanted.subjects ?? []).filter((subject) => !existing.subjects.includes(subject));
  if (missing.length > 0) problems.push(`subjects ${existing.subjects.join(', ')} do not include ${missing.join(', ')}`);
  if (wanted.duplicate_window !== undefined && existing.duplicate_window !== wanted.duplicate_window) {
    problems.push(`duplicate window is ${existing.duplicate_window / NANOS_PER_SECOND} s, the config says ${wanted.duplicate_window / NANOS_PER_SECOND} s`);
  }
  if (wanted.max_msg_size !== undefined && existing.max_msg_size !== wanted.max_msg_size) {
    problems.push(`max message size is ${existing.max_msg_size}, the config says ${wanted.max_msg_size}`);
  }
  if (wanted.max_age !== undefined && existing.max_age !== wanted.max_age) {
    problems.push(`max age is ${existing.max_age / NANOS_PER_SECOND} s, the config says ${wanted.max_age / NANOS_PER_SECOND} s`);
  }
  if (wanted.num_replicas !== undefined && existing.num_replicas !== wanted.num_replicas) {
    problems.push(`replicas are ${existing.num_replicas}, the config says ${wanted.num_replicas}`);
  }
  return problems;
}
