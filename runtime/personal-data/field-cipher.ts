/**
 * One personal value encrypted with its subject's data key: AES-256-GCM (node:crypto), a random
 * 96-bit IV per value, the subject id as additional authenticated data (a value copied under
 * another subject does not decrypt), the JSON text of the value as plaintext (numbers, objects
 * and lists keep their type).
 *
 * Stored in place of the value as `{ "$pii": "v1:<base64 of iv | ciphertext | tag>" }`: a JSON
 * object, so the rest of the payload stays queryable JSONB and a sealed value is recognisable
 * (docs/personal-data.md, "What is stored").
 */
import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedValue {
  readonly $pii: string;
}

/**
 * IVs come from a pool filled by the CSPRNG 512 at a time: one randomFillSync per 512 values
 * instead of one randomBytes call each (measured: a third of the cost of sealing a short value).
 * Each IV is still 96 random bits, used once.
 */
const IV_POOL = Buffer.alloc(IV_BYTES * 512);
let ivOffset = IV_POOL.length;

function nextIv(): Buffer {
  if (ivOffset === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  const iv = Buffer.from(IV_POOL.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

/**
 * The additional authenticated data of a subject's values: its id in UTF-8. Callers sealing or
 * opening many values of one subject build it once and pass it instead of the id.
 */
export function subjectAad(subject: string): Buffer {
  return Buffer.from(subject, 'utf8');
}

/** `key`: the subject's data key as a KeyObject (node converts a Buffer on every call otherwise). */
export function sealValue(key: KeyObject, subject: string | Buffer, value: unknown): SealedValue {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(typeof subject === 'string' ? subjectAad(subject) : subject);
  const body = cipher.update(JSON.stringify(value), 'utf8');
  const rest = cipher.final();
  return { $pii: VERSION + Buffer.concat([iv, body, rest, cipher.getAuthTag()]).toString('base64') };
}

export function isSealed(value: unknown): value is SealedValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const text = (value as { $pii?: unknown }).$pii;
  if (typeof text !== 'string' || !text.startsWith(VERSION)) return false;
  // Exactly one property, counted without allocating a key list (this runs on every object of a sealed payload).
  let count = 0;
  for (const _ in value) if (++count > 1) return false;
  return true;
}

/** The value, or throws when the ciphertext or its tag was altered (or another key sealed it). */
export function openValue(key: KeyObject, subject: string | Buffer, sealed: SealedValue): unknown {
  return JSON.parse(openText(key, subject, sealed));
}

/** The JSON text of the value (openValue without the parse). */
export function openText(key: KeyObject, subject: string | Buffer, sealed: SealedValue): string {
  const bytes = Buffer.from(sealed.$pii.slice(VERSION.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new RangeError('sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(typeof subject === 'string' ? subjectAad(subject) : subject);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES), undefined, 'utf8') + decipher.final('utf8');
}
