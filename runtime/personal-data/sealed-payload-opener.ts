/**
 * Opens the stored payloads of one data subject whose key is known, for one read (the vault makes
 * one per subject of the rows it opens). Built for the hot path of every read, an aggregate load:
 *
 * - Payloads are opened in place: they were just read from the database and nobody else holds
 *   them, so nothing is copied.
 * - The walk visits every object of the payload, not only the paths the spec declares, so values
 *   sealed under an older spec still open (the vault's redaction path does the same).
 * - A memo (the vault's, per subject, dropped with the cached key) keeps what was opened before as
 *   plaintext JSON: a payload read as text (the replay statement's sealed_data) under its event
 *   id, with the exact stored text it came from; a single sealed value (rows whose payload arrives
 *   parsed) under its ciphertext. A hot aggregate's reload then parses its plaintext payloads, as
 *   a store without personal data does, instead of parsing ciphertexts and running AES-GCM again.
 *   A payload is answered from the memo only when its stored text is identical to what was opened
 *   (an altered row misses and fails authentication); the event id is only the cheaper key to
 *   hash. The two kinds of keys cannot collide: a sealed value's starts with `v1:`, an event id is
 *   a UUID.
 */
import type { KeyObject } from 'node:crypto';
import { isSealed, openText, subjectAad, type SealedValue } from './field-cipher.js';
import { PersonalDataCorrupt } from './personal-data-errors.js';

/** Bound of the memo per subject (a subject with more decrypts the rest each time). */
export const MAX_MEMO_ENTRIES_PER_SUBJECT = 10_000;

/** A payload opened from its stored text: `opened` answers only for that exact `stored` text. */
export interface OpenedPayload {
  readonly stored: string;
  readonly opened: string;
}

/** Per subject: opened payloads by event id, decrypted values (JSON text) by ciphertext. */
export type OpenedMemo = Map<string, OpenedPayload | string>;

export class SealedPayloadOpener {
  readonly #key: KeyObject;
  readonly #subject: string;
  readonly #aad: Buffer;
  readonly #memo: OpenedMemo;
  /** The event being opened, named by PersonalDataCorrupt. */
  #eventId = '';
  /** Whether single values go into the memo (not while the whole payload will). */
  #rememberValues = true;

  constructor(key: KeyObject, subject: string, memo: OpenedMemo) {
    this.#key = key;
    this.#subject = subject;
    this.#aad = subjectAad(subject);
    this.#memo = memo;
  }

  /** A payload read as JSON text, opened (a new object on every call: callers may change it). */
  fromText(text: string, eventId: string): unknown {
    const known = this.#memo.get(eventId);
    if (typeof known === 'object' && known.stored === text) return JSON.parse(known.opened);
    this.#eventId = eventId;
    this.#rememberValues = false;
    const data = this.#walk(JSON.parse(text));
    if (known !== undefined || this.#memo.size < MAX_MEMO_ENTRIES_PER_SUBJECT) this.#memo.set(eventId, { stored: text, opened: JSON.stringify(data) });
    return data;
  }

  /** A payload read parsed, opened in place (the result is `data` unless `data` is itself sealed). */
  fromParsed(data: unknown, eventId: string): unknown {
    this.#eventId = eventId;
    this.#rememberValues = true;
    return this.#walk(data);
  }

  #walk(node: unknown): unknown {
    if (typeof node !== 'object' || node === null) return node;
    if (isSealed(node)) return this.#open(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (typeof item === 'object' && item !== null) node[i] = this.#walk(item);
      }
      return node;
    }
    const record = node as Record<string, unknown>;
    for (const name in record) {
      const value = record[name];
      if (typeof value === 'object' && value !== null) record[name] = this.#walk(value);
    }
    return node;
  }

  #open(sealed: SealedValue): unknown {
    const known = this.#rememberValues ? this.#memo.get(sealed.$pii) : undefined;
    let text = typeof known === 'string' ? known : undefined;
    if (text === undefined) {
      try {
        text = openText(this.#key, this.#aad, sealed);
      } catch (error) {
        throw new PersonalDataCorrupt(this.#subject, this.#eventId, { cause: error });
      }
      if (this.#rememberValues && this.#memo.size < MAX_MEMO_ENTRIES_PER_SUBJECT) this.#memo.set(sealed.$pii, text);
    }
    return JSON.parse(text);
  }
}
