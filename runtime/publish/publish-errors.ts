/**
 * Errors of the message bus (publisher and consumers). They follow runtime/errors.ts (a stable
 * ESG2xx `code`, a message that reads as a sentence); the ESG23x range is the message bus's.
 */
import { EsgenError, type PublishErrorCode } from '../errors.js';

export type { PublishErrorCode };

export class PublishError extends EsgenError {
  constructor(
    override readonly code: PublishErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * The broker refused one event for a reason that publishing it again cannot fix (too large for
 * the stream, refused by the server): the publisher stops just before it instead of dropping it.
 */
export class PublishFailed extends PublishError {
  constructor(
    readonly publisher: string,
    readonly eventPosition: bigint,
    readonly eventType: string,
    readonly eventId: string,
    readonly reason: string,
  ) {
    super(
      'ESG230',
      `Publisher ${publisher} stopped on event ${eventType} ${eventId} at position ${eventPosition}: the broker refused it (${reason}). ` +
        'Fix the stream settings and run `esgen publish retry`, or `esgen publish skip` to pass over this event (it is then never published).',
    );
  }
}

/** The stream exists with settings the publisher cannot work with, and may not change them. */
export class PublisherStreamMismatch extends PublishError {
  constructor(
    readonly stream: string,
    readonly problems: readonly string[],
  ) {
    super(
      'ESG231',
      `The stream ${stream} does not match the publisher's configuration: ${problems.join('; ')}. ` +
        'Change the stream (or the publisher config) so they agree, or let the publisher update it (stream.update: true).',
    );
  }
}

export class UnknownPublisher extends PublishError {
  constructor(
    readonly publisher: string,
    known: readonly string[],
  ) {
    super('ESG232', `There is no publisher named ${publisher} in this database${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (none has run yet)'}.`);
  }
}

export class PublisherNotFailed extends PublishError {
  constructor(
    readonly publisher: string,
    detail: string,
  ) {
    super('ESG233', `Publisher ${publisher} ${detail}.`);
  }
}

/** A message a consumer cannot turn into a typed event: terminated, never handled. */
export class InvalidPublishedEvent extends PublishError {
  constructor(
    readonly subject: string,
    readonly eventId: string | undefined,
    readonly reason: string,
  ) {
    super('ESG234', `The message on ${subject}${eventId === undefined ? '' : ` (event ${eventId})`} is not a valid published event: ${reason}.`);
  }
}

export class InvalidPublisherConfig extends PublishError {
  constructor(message: string) {
    super('ESG235', message);
  }
}
