/**
 * Opens the stored payloads of one data subject whose key is known, for one read (the vault makes
 * one per subject of the rows it opens). Built for the hot path of every read, an aggregate load:
 *
 * - Payloads are opened in place: they were just read from the database and nobody else holds
 *   them, so nothing is copied.
 * - The walk visits every object of the payload, not only the paths the spec declares, so values
 *   sealed under an older spec still open (the vault's redaction path does the same).
 * - A memo (the vault's, per subject, dropped with the cached key) maps what was opened before to
 *   its plaintext JSON: a payload read as text (the replay statement's sealed_data) to its opened
 *   payload, a single sealed value (rows whose payload arrives parsed) to its value. A hot
 *   aggregate's reload then parses its plaintext payloads once, as a store without personal data
 *   does, instead of parsing ciphertexts and running AES-GCM again. The two kinds of entries
 *   cannot collide: a sealed value's text starts with `v1:`, a payload's JSON text never does.
 */
import type { KeyObject } from 'node:crypto';
import { isSealed, openText, subjectAad, type SealedValue } from './field-cipher.js';
import { PersonalDataCorrupt } from './personal-data-errors.js';

/** Bound of the memo per subject (a subject with more decrypts the rest each time). */
export const MAX_MEMO_ENTRIES_PER_SUBJECT = 10_000;

export class SealedPayloadOpener {
  readonly #key: KeyObject;
  readonly #subject: string;
  readonly #aad: Buffer;
  readonly #memo: Map<string, string>;
  /** The event being opened, named by PersonalDataCorrupt. */
  #eventId = '';
  /** Whether single values go into the memo (not while the whole payload will). */
  #rememberValues = true;

  constructor(key: KeyObject, subject: string, memo: Map<string, string>) {
    this.#key = key;
    this.#subject = subject;
    this.#aad = subjectAad(subject);
    this.#memo = memo;
  }

  /** A payload read as JSON text, opened (a new object on every call: callers may change it). */
  fromText(text: string, eventId: string): unknown {
    const known = this.#memo.get(text);
    if (known !== undefined) return JSON.parse(known);
    this.#eventId = eventId;
    this.#rememberValues = false;
    const data = this.#walk(JSON.parse(text));
    if (this.#memo.size < MAX_MEMO_ENTRIES_PER_SUBJECT) this.#memo.set(text, JSON.stringify(data));
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
    let text = this.#rememberValues ? this.#memo.get(sealed.$pii) : undefined;
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
