import { initialMigration } from './0001-initial.js';
import { readModelRuntimeMigration } from './0002-read-model-runtime.js';
import { eventsIndexBudgetMigration } from './0003-events-index-budget.js';
import { messageBusMigration } from './0004-message-bus.js';
import { personalDataMigration } from './0005-personal-data.js';
import { unsetDatetimesMigration } from './0006-unset-datetimes.js';
import type { Migration } from './migration.js';

export { migrationChecksum, type Migration } from './migration.js';

/**
 * Every migration, in order. Append new ones at the end with the next version number (one file
 * each, `NNNN-name.ts`); never edit or reorder a released one: databases record each applied
 * migration's checksum and `migrate()` refuses to run against a changed one.
 */
export const migrations: readonly Migration[] = [initialMigration, readModelRuntimeMigration, eventsIndexBudgetMigration, messageBusMigration, personalDataMigration, unsetDatetimesMigration];
