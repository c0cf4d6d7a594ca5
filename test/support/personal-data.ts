import { randomBytes } from 'node:crypto';
import { resolveSchema } from '../../runtime/identifiers.js';
import { PersonalDataVault } from '../../runtime/personal-data/personal-data-vault.js';
import { localMasterKey } from '../../runtime/personal-data/master-key.js';
import type { SqlClient } from '../../runtime/sql-client.js';

/** A fresh master key per call: tests that need personal data configured (docs/personal-data.md). */
export function testMasterKey(): Buffer {
  return randomBytes(32);
}

/** The personalData option of createEventSourcing with a random key. */
export function testPersonalData(key: Buffer = testMasterKey()): { masterKey: () => Buffer } {
  return { masterKey: () => key };
}

/** A vault for createEventStore({ personalData }) in tests that build the store by hand. */
export function testVault(client: SqlClient, schema: string | undefined, key: Buffer = testMasterKey(), ttlMs?: number): PersonalDataVault {
  return new PersonalDataVault(client, resolveSchema(schema).quoted, localMasterKey(key), ttlMs);
}
