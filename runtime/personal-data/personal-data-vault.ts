/**
 * Crypto-shredding of `pii` values (docs/personal-data.md): each data subject has a data key,
 * wrapped by the master key in pii_keys; personal values are sealed one by one at append and
 * opened on every read; forgetting drops the key, after which sealed values read as their
 * redacted values.
 *
 * Key cache: per process, each entry (a key or "forgotten") lives `keyCacheTtlMs` (default 30 s).
 * A forget in this process replaces the entry at once; other processes see it when their entry
 * expires (what they append meanwhile is sealed with a key that no longer exists: unreadable, so
 * forgotten too). Reads never insert a key, and a read that was in flight while this process
 * forgot a subject does not put the key back into the cache (the forget epoch changed).
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { EventDefinition, PiiValue, Registry } from '../contracts.js';
import { InvalidEvent } from '../errors.js';
import type { SqlClient } from '../sql-client.js';
import { resolveSchema } from '../identifiers.js';
import { isSealed, openValue, sealValue, subjectAad, type SealedValue } from './field-cipher.js';
import { keyStatements, type KeyRow, type KeyStatements } from './key-statements.js';
import { resolveMasterKey, type MasterKeyProvider, type MasterKeySource } from './master-key.js';
import { DataKeyUnwrapFailed, PersonalDataCorrupt, SubjectForgotten } from './personal-data-errors.js';
import { REMOVE, replacePii } from './pii-paths.js';
import { SealedPayloadOpener, type OpenedMemo } from './sealed-payload-opener.js';

export interface PersonalDataOptions {
  /** `'ESGEN_MASTER_KEY'` (an environment variable: 32 bytes, base64 or hex), `() => key`, or a KMS-like provider. */
  readonly masterKey: MasterKeySource;
  /** How long a data key (or "forgotten") stays cached in a process; default 30,000 ms. Other processes see a forget within this time. */
  readonly keyCacheTtlMs?: number;
}

/** A stored event row as far as personal data is concerned. */
export interface SealedRow {
  event_id: string;
  event_type: string;
  event_version: number;
  event_data: unknown;
  /** The payload as JSON text instead of event_data (statements that send sealed payloads unparsed). */
  sealed_data?: string | null;
  pii_subject?: string | null;
}

/** An event about to be appended, at its current version. */
export interface SealInput {
  readonly definition: EventDefinition;
  readonly aggregateId: string;
  readonly data: unknown;
}

export interface ForgetResult {
  readonly subjectId: string;
  /** False when the subject had no key (never seen, or forgotten before). */
  readonly hadKey: boolean;
  readonly forgottenAt: Date;
}

const DEFAULT_TTL_MS = 30_000;
/** Cache size above which expired entries are swept when new keys arrive. */
const SWEEP_ABOVE = 10_000;

interface CacheEntry {
  /** null: forgotten (or never given a key: reads only). */
  readonly key: KeyObject | null;
  readonly expires: number;
}

export class PersonalDataVault {
  readonly #client: SqlClient;
  readonly #master: MasterKeyProvider;
  readonly #sql: KeyStatements;
  readonly #ttl: number;
  readonly #cache = new Map<string, CacheEntry>();
  /** Moves on every forget in this process: a read that began before it caches nothing. */
  #epoch = 0;
  /**
   * What reads opened, per subject (SealedPayloadOpener: opened payloads by event id with the
   * stored text they came from, decrypted values by ciphertext), kept exactly as long as the
   * subject's key is cached: a hot aggregate's reload does not pay AES-GCM again. Dropped with the
   * key (expiry, forget); holding them exposes nothing the cached key does not.
   */
  readonly #values = new Map<string, OpenedMemo>();

  constructor(client: SqlClient, quotedSchema: string, master: MasterKeyProvider, ttlMs = DEFAULT_TTL_MS) {
    this.#client = client;
    this.#master = master;
    this.#sql = keyStatements(quotedSchema);
    this.#ttl = ttlMs;
  }

  static async open(client: SqlClient, quotedSchema: string, options: PersonalDataOptions): Promise<PersonalDataVault> {
    return new PersonalDataVault(client, quotedSchema, await resolveMasterKey(options.masterKey), options.keyCacheTtlMs);
  }

  /** For workers and tools wired by hand (createEventSourcing does this itself): `personalData` of createReadModelManager, createEventReplayer, createEventStore. */
  static async forSchema(client: SqlClient, options: PersonalDataOptions & { readonly schema?: string }): Promise<PersonalDataVault> {
    return PersonalDataVault.open(client, resolveSchema(options.schema).quoted, options);
  }

  get masterKeyId(): string {
    return this.#master.id;
  }

  /** The subject of an event about to be appended (undefined: the event has no personal data). */
  subjectOf(input: SealInput): string | undefined {
    const spec = input.definition.personalData;
    if (spec === undefined) return undefined;
    if (spec.subject === '$aggregateId') return input.aggregateId;
    let value: unknown = input.data;
    for (const segment of spec.subject) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
    if (typeof value !== 'string' || value === '') {
      throw new InvalidEvent(input.definition.type, [{ path: `/${spec.subject.join('/')}`, message: 'is the data subject: a non-empty string is required' }]);
    }
    return value;
  }

  /**
   * The payloads with their personal values sealed, and the subject of each (null without personal
   * data). Creates the keys of new subjects; a forgotten subject is a SubjectForgotten.
   */
  async seal(inputs: readonly SealInput[]): Promise<{ data: unknown[]; subjects: (string | null)[] }> {
    const subjects = inputs.map((input) => this.subjectOf(input) ?? null);
    const wanted = [...new Set(subjects.filter((subject): subject is string => subject !== null))];
    const keys = await this.#keysForAppend(wanted, (subject) => inputs[subjects.indexOf(subject)]!.definition.type);
    const aads = new Map<string, Buffer>();
    const data = inputs.map((input, i) => {
      const subject = subjects[i];
      if (subject === null || subject === undefined) return input.data;
      const entries = input.definition.personalData!.versions[input.definition.version - 1] ?? [];
      const key = keys.get(subject)!;
      let aad = aads.get(subject);
      if (aad === undefined) aads.set(subject, (aad = subjectAad(subject)));
      const sealedAad = aad;
      return replacePii(input.data, entries, (value) => (value === undefined ? value : sealValue(key, sealedAad, value)));
    });
    return { data, subjects };
  }

  /**
   * Opens the sealed values of stored rows in place (before upcasting: the stored version's paths
   * apply). A forgotten subject's values become their redacted values. Rows without a subject are
   * left as they are (events without personal data, or stored before it was declared). A row's
   * payload is `event_data` (parsed) or, when the statement sent it as text, `sealed_data`
   * (the replay statement does: see SealedPayloadOpener); either way `event_data` ends opened.
   */
  async open(registry: Registry, rows: readonly SealedRow[]): Promise<void> {
    const subjects = new Set<string>();
    let previous: string | null | undefined;
    for (const row of rows) {
      // Rows of one stream mostly share their subject: the set sees each run once.
      if (row.pii_subject === previous) continue;
      previous = row.pii_subject;
      if (previous) subjects.add(previous);
    }
    if (subjects.size === 0) return;
    const epoch = this.#epoch;
    const keys = await this.#keysForRead([...subjects]);
    // One opener per subject for the whole page (a stream load has a single subject).
    const openers = new Map<string, SealedPayloadOpener | null>();
    const fresh = new Map<string, OpenedMemo>();
    for (const [subject, key] of keys) {
      if (key === null) {
        openers.set(subject, null);
        continue;
      }
      let memo = this.#values.get(subject);
      if (memo === undefined) {
        memo = new Map();
        fresh.set(subject, memo);
      }
      openers.set(subject, new SealedPayloadOpener(key, subject, memo));
    }
    let openerSubject: string | undefined;
    let opener: SealedPayloadOpener | null = null;
    for (const row of rows) {
      const subject = row.pii_subject;
      if (!subject) continue;
      if (subject !== openerSubject) {
        openerSubject = subject;
        opener = openers.get(subject) ?? null;
      }
      const text = row.sealed_data;
      if (opener !== null) {
        row.event_data = typeof text === 'string' ? opener.fromText(text, row.event_id) : opener.fromParsed(row.event_data, row.event_id);
      } else {
        const entries = registry.events[row.event_type]?.personalData?.versions[row.event_version - 1] ?? [];
        row.event_data = redactSealedValues(typeof text === 'string' ? JSON.parse(text) : row.event_data, entries);
      }
    }
    // Like keys: what a read that overlapped a forget decrypted is not kept.
    if (epoch === this.#epoch) for (const [subject, memo] of fresh) this.#values.set(subject, memo);
  }

  /**
   * A whole value (a snapshot's state) sealed with the subject's key; undefined when the subject
   * is forgotten (nothing is written then: the state would only be redacted values anyway).
   */
  async sealWhole(subject: string, value: unknown): Promise<SealedValue | undefined> {
    try {
      const keys = await this.#keysForAppend([subject], () => 'snapshot');
      return sealValue(keys.get(subject)!, subject, value);
    } catch (error) {
      if (error instanceof SubjectForgotten) return undefined;
      throw error;
    }
  }

  /** The value sealWhole sealed, or undefined once the subject is forgotten (or when it is not sealed). */
  async openWhole(subject: string, sealed: unknown, what: string): Promise<unknown> {
    if (!isSealed(sealed)) return undefined;
    const key = (await this.#keysForRead([subject])).get(subject) ?? null;
    if (key === null) return undefined;
    try {
      return openValue(key, subject, sealed);
    } catch (error) {
      throw new PersonalDataCorrupt(subject, what, { cause: error });
    }
  }

  /** Drops the subject's key and leaves a tombstone, in one statement; the cache forgets it at once. */
  async forget(subjectId: string): Promise<ForgetResult> {
    this.#epoch++;
    const result = await this.#client.query<{ had_key: boolean; forgotten_at: Date }>(this.#sql.forget, [subjectId]);
    this.#epoch++;
    this.#cache.set(subjectId, { key: null, expires: Date.now() + this.#ttl });
    this.#values.delete(subjectId);
    const row = result.rows[0]!;
    return { subjectId, hadKey: row.had_key, forgottenAt: new Date(row.forgotten_at) };
  }

  /**
   * Re-wraps every data key wrapped by another master key (`previous`) with the configured one.
   * Events are untouched: their values are sealed with the data keys, which do not change.
   */
  async rotateMasterKey(previous: MasterKeySource): Promise<{ rewrapped: number }> {
    const old = await resolveMasterKey(previous);
    const { rows } = await this.#client.query<KeyRow>(this.#sql.wrappedByOthers, [this.#master.id]);
    let rewrapped = 0;
    for (const row of rows) {
      if (row.master_key_id !== old.id) throw new DataKeyUnwrapFailed(row.subject_id, row.master_key_id ?? '?');
      const key = await this.#unwrapBytes(row, old);
      const wrapped = Buffer.from(await this.#master.wrap(key)).toString('hex');
      const updated = await this.#client.query(this.#sql.rewrap, [row.subject_id, wrapped, this.#master.id, old.id]);
      rewrapped += updated.rowCount ?? 0;
    }
    return { rewrapped };
  }

  async #keysForRead(subjects: readonly string[]): Promise<Map<string, KeyObject | null>> {
    const found = new Map<string, KeyObject | null>();
    const missing = this.#fromCache(subjects, found);
    if (missing.length === 0) return found;
    const epoch = this.#epoch;
    const { rows } = await this.#client.query<KeyRow>(this.#sql.read, [missing]);
    const fetched = new Map<string, KeyObject | null>(missing.map((subject) => [subject, null]));
    for (const row of rows) fetched.set(row.subject_id, row.wrapped_key === null ? null : await this.#unwrap(row, this.#master));
    this.#remember(fetched, epoch);
    for (const [subject, key] of fetched) found.set(subject, key);
    return found;
  }

  async #keysForAppend(subjects: readonly string[], eventTypeOf: (subject: string) => string): Promise<Map<string, KeyObject>> {
    const found = new Map<string, KeyObject | null>();
    let missing = this.#fromCache(subjects, found);
    if (missing.length > 0) {
      const epoch = this.#epoch;
      const fetched = new Map<string, KeyObject | null>();
      const { rows } = await this.#client.query<KeyRow>(this.#sql.read, [missing]);
      for (const row of rows) fetched.set(row.subject_id, row.wrapped_key === null ? null : await this.#unwrap(row, this.#master));
      missing = missing.filter((subject) => !fetched.has(subject));
      if (missing.length > 0) {
        // New subjects: every process may race to create the same key; ON CONFLICT keeps the first
        // and a second read (a new snapshot) returns it to everyone.
        const created = missing.map((subject) => ({ subject, key: randomBytes(32) }));
        const wrapped = await Promise.all(created.map(async ({ key }) => Buffer.from(await this.#master.wrap(key)).toString('hex')));
        await this.#client.query(this.#sql.create, [missing, wrapped, this.#master.id]);
        const again = await this.#client.query<KeyRow>(this.#sql.read, [missing]);
        for (const row of again.rows) fetched.set(row.subject_id, row.wrapped_key === null ? null : await this.#unwrap(row, this.#master));
      }
      this.#remember(fetched, epoch);
      for (const [subject, key] of fetched) found.set(subject, key);
    }
    const keys = new Map<string, KeyObject>();
    for (const subject of subjects) {
      const key = found.get(subject);
      if (key === null || key === undefined) throw new SubjectForgotten(subject, eventTypeOf(subject));
      keys.set(subject, key);
    }
    return keys;
  }

  /** Fills `found` from fresh cache entries; returns the subjects still to fetch. */
  #fromCache(subjects: readonly string[], found: Map<string, KeyObject | null>): string[] {
    const now = Date.now();
    const missing: string[] = [];
    for (const subject of subjects) {
      const entry = this.#cache.get(subject);
      if (entry !== undefined && entry.expires > now) found.set(subject, entry.key);
      else {
        missing.push(subject);
        this.#values.delete(subject);
      }
    }
    return missing;
  }

  #remember(fetched: ReadonlyMap<string, KeyObject | null>, epoch: number): void {
    // A forget ran while these were fetched: what was read may be a key that no longer exists.
    if (epoch !== this.#epoch) return;
    const now = Date.now();
    // A process touching many subjects: expired entries (and their memoised values) go once the cache is large.
    if (this.#cache.size > SWEEP_ABOVE) {
      for (const [subject, entry] of this.#cache) {
        if (entry.expires > now) continue;
        this.#cache.delete(subject);
        this.#values.delete(subject);
      }
    }
    const expires = now + this.#ttl;
    for (const [subject, key] of fetched) this.#cache.set(subject, { key, expires });
  }

  async #unwrap(row: KeyRow, master: MasterKeyProvider): Promise<KeyObject> {
    return createSecretKey(await this.#unwrapBytes(row, master));
  }

  async #unwrapBytes(row: KeyRow, master: MasterKeyProvider): Promise<Buffer> {
    if (row.master_key_id !== master.id) throw new DataKeyUnwrapFailed(row.subject_id, row.master_key_id ?? '?');
    try {
      const key = Buffer.from(await master.unwrap(Buffer.from(row.wrapped_key!, 'hex')));
      if (key.length !== 32) throw new RangeError(`unwrapped key has ${key.length} bytes`);
      return key;
    } catch (error) {
      throw new DataKeyUnwrapFailed(row.subject_id, row.master_key_id ?? '?', { cause: error });
    }
  }
}

/**
 * The payload with every sealed value replaced by its redacted value, without any key: what the
 * publisher sends (docs/personal-data.md, "Message bus").
 */
export function redactSealed(registry: Registry, eventType: string, eventVersion: number, data: unknown): unknown {
  const entries = registry.events[eventType]?.personalData?.versions[eventVersion - 1] ?? [];
  return redactSealedValues(data, entries);
}

/**
 * Every sealed value of a payload replaced by the redacted value of the path it sits at (left out
 * for optional fields; null where the spec no longer names the path): what a payload reads as
 * without its key. Walks the whole payload rather than the declared paths, so values sealed under
 * an older spec are redacted too. Copies what it changes (the publisher's rows are not its own).
 */
function redactSealedValues(data: unknown, entries: readonly PiiValue[]): unknown {
  const walk = (node: unknown, path: readonly string[]): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if (isSealed(node)) {
      const entry = entries.find((candidate) => candidate.path.length === path.length && candidate.path.every((segment, i) => segment === '*' || segment === path[i]));
      if (entry === undefined) return null;
      return 'redacted' in entry ? structuredClone(entry.redacted) : REMOVE;
    }
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        const next = walk(item, [...path, String(i)]);
        if (next === item) continue;
        copy ??= [...node];
        copy[i] = next === REMOVE ? null : next;
      }
      return copy ?? node;
    }
    let copy: Record<string, unknown> | undefined;
    for (const name in node) {
      const value = (node as Record<string, unknown>)[name];
      const next = walk(value, [...path, name]);
      if (next === value) continue;
      copy ??= { ...(node as Record<string, unknown>) };
      if (next === REMOVE) delete copy[name];
      else copy[name] = next;
    }
    return copy ?? node;
  };
  return walk(data, []);
}
