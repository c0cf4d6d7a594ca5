import { createHash } from 'node:crypto';

/**
 * One versioned schema change. `statements` are SQL templates where `{{schema}}` stands for the
 * quoted schema name; they run in order, one transaction per migration. Statements are separate
 * (not one `;`-joined string) because the extended query protocol, which PGlite's `query` and a
 * transaction's executor use, accepts one statement per call.
 */
export interface Migration {
  readonly version: number;
  /** kebab-case, shown by `esgen db status`. */
  readonly name: string;
  readonly statements: readonly string[];
}

/** sha256 of the templates: changes whenever a released migration's SQL changes. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.statements.join(';\n')).digest('hex');
}

export function renderStatements(migration: Migration, quotedSchema: string): string[] {
  return migration.statements.map((statement) => statement.replaceAll('{{schema}}', quotedSchema));
}
