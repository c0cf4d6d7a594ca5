/**
 * The master key that wraps every subject's data key. Applications give it as the name of an
 * environment variable holding 32 bytes (base64 or hex), as a function returning those bytes, or as
 * a provider with its own wrap/unwrap (a KMS: the master key then never enters the process).
 * Each wrapped key is stored with the id of the master key that wrapped it, so a rotation knows
 * what to re-wrap and a wrong key is an error (DataKeyUnwrapFailed), never "forgotten".
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InvalidMasterKey } from './personal-data-errors.js';

/** A key-management service or any other holder of the master key. */
export interface MasterKeyProvider {
  /** Names this master key; stored beside every key it wraps (pii_keys.master_key_id). */
  readonly id: string;
  wrap(dataKey: Uint8Array): Promise<Uint8Array> | Uint8Array;
  unwrap(wrapped: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/**
 * `'ESGEN_MASTER_KEY'` (an environment variable's name), `() => bytes` (32 bytes, or their base64
 * or hex text), or a MasterKeyProvider.
 */
export type MasterKeySource = string | (() => Uint8Array | string | Promise<Uint8Array | string>) | MasterKeyProvider;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Resolves the configured source once, when the application opens the store. */
export async function resolveMasterKey(source: MasterKeySource, env: Readonly<Record<string, string | undefined>> = process.env): Promise<MasterKeyProvider> {
  if (typeof source === 'object' && source !== null) {
    if (typeof source.id !== 'string' || source.id === '' || typeof source.wrap !== 'function' || typeof source.unwrap !== 'function') {
      throw new InvalidMasterKey('a provider needs a non-empty `id`, `wrap` and `unwrap`');
    }
    return source;
  }
  if (typeof source === 'string') {
    const text = env[source];
    if (text === undefined || text.trim() === '') throw new InvalidMasterKey(`the environment variable ${source} is not set`);
    return localMasterKey(keyBytes(text, `the environment variable ${source}`));
  }
  if (typeof source === 'function') {
    const given = await source();
    return localMasterKey(typeof given === 'string' ? keyBytes(given, 'the master key function') : checkedLength(Buffer.from(given), 'the master key function'));
  }
  throw new InvalidMasterKey(`expected an environment variable name, a function or a provider; got ${typeof source}`);
}

/** A master key held in the process: data keys are wrapped with AES-256-GCM under it. */
export function localMasterKey(key: Uint8Array): MasterKeyProvider {
  const master = checkedLength(Buffer.from(key), 'the master key');
  // The id is a fingerprint, not the key: sha256 of a domain-separated key, 16 hex digits.
  const id = `local:${createHash('sha256').update('esgen master key id\0').update(master).digest('hex').slice(0, 16)}`;
  return {
    id,
    wrap(dataKey) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', master, iv);
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]);
    },
    unwrap(wrapped) {
      const bytes = Buffer.from(wrapped);
      const decipher = createDecipheriv('aes-256-gcm', master, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    },
  };
}

/** 32 bytes from base64 (or base64url) or hex text. */
function keyBytes(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  return checkedLength(bytes, what);
}

function checkedLength(bytes: Buffer, what: string): Buffer {
  if (bytes.length !== KEY_BYTES) throw new InvalidMasterKey(`${what} holds ${bytes.length} bytes, not ${KEY_BYTES} (generate one with \`openssl rand -base64 32\`)`);
  return bytes;
}
