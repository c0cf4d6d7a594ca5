/** The personal-data range of the error registry (ESG25x, runtime/error-codes.ts). */
import { EsgenError } from '../errors.js';

/** Personal data of a forgotten subject was appended: no key is minted again; nothing was written. */
export class SubjectForgotten extends EsgenError {
  constructor(
    readonly subjectId: string,
    readonly eventType: string,
  ) {
    super('ESG250', `Unable to append ${eventType}: its personal data belongs to subject ${subjectId}, who was forgotten. Nothing was written.`);
  }
}

/** An event with `pii` fields was appended or read without `personalData.masterKey`. */
export class PersonalDataNotConfigured extends EsgenError {
  /** `eventType`: the event with personal data; absent for es.forget / es.exportSubject. */
  constructor(readonly eventType?: string) {
    super(
      'ESG251',
      `${eventType === undefined ? 'Forgetting and exporting subjects need' : `${eventType} carries personal data, which needs`} a master key, and none is configured: pass personalData: { masterKey } to createEventSourcing.`,
    );
  }
}

export class InvalidMasterKey extends EsgenError {
  constructor(readonly reason: string) {
    super('ESG252', `The master key is unusable: ${reason}.`);
  }
}

export class DataKeyUnwrapFailed extends EsgenError {
  constructor(
    readonly subjectId: string,
    readonly masterKeyId: string,
    options?: ErrorOptions,
  ) {
    super('ESG253', `The data key of subject ${subjectId} does not unwrap with the configured master key (it was wrapped by ${masterKeyId}).`, options);
  }
}

export class PersonalDataCorrupt extends EsgenError {
  constructor(
    readonly subjectId: string,
    readonly eventId: string,
    options?: ErrorOptions,
  ) {
    super('ESG254', `A personal value of event ${eventId} does not decrypt with the key of subject ${subjectId}: the stored value was altered.`, options);
  }
}
