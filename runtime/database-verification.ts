/**
 * `esgen db verify`: can this code (its generated registry) serve this database? The check to run
 * before switching traffic to a new release (issue 13). Read-only: it creates nothing, not even
 * the schema.
 *
 * Failing (exit 1):
 * - stored events of a type the registry does not know, or of a version above the registry's
 *   current one (an event version that was removed or never existed in this code);
 * - stored payloads the registry cannot read: the oldest and newest stored event of every
 *   (type, version) are validated against that version's validator, upcast, and validated
 *   against the current version (catches a published version edited in place, and a broken
 *   upcaster, on the data that is actually stored);
 * - migrations applied to the database that this code does not know (a newer esgen migrated it)
 *   or whose text changed since they ran.
 * Reported, failing only with `strict` (the application's start handles them by default):
 * pending migrations (createEventSourcing applies them unless `migrate: false`) and read models
 * whose rows have another shape (rebuilt on start unless `onShapeChange: 'refuse'`).
 */
import type { Registry } from './contracts.js';
import { resolveSchema } from './identifiers.js';
import { migrationStatus } from './migrations/migrate.js';
import { projectionStatus } from './projections/projection-status.js';
import type { SqlClient } from './sql-client.js';

export interface StoredEventVersion {
  readonly type: string;
  readonly version: number;
  readonly count: number;
  /** `ok`; `unknown type` / `unknown version` (the registry cannot read it); `unreadable` (a sampled payload fails). */
  readonly status: 'ok' | 'unknown type' | 'unknown version' | 'unreadable';
  /** Why it is not ok, in words. */
  readonly detail?: string;
}

export interface ReadModelVerification {
  readonly projection: string;
  readonly mode: 'inline' | 'async';
  readonly rows: number;
  readonly rebuildDue: boolean;
  readonly reason?: string;
}

export interface DatabaseVerification {
  readonly schema: string;
  /** Whether esgen's tables exist in the schema at all. */
  readonly initialised: boolean;
  readonly migrations: { readonly applied: number; readonly pending: readonly string[]; readonly changed: readonly string[]; readonly unknown: readonly string[] };
  readonly events: readonly StoredEventVersion[];
  readonly readModels: readonly ReadModelVerification[];
  /** What stops this code from serving the database (exit 1). */
  readonly problems: readonly string[];
  /** What the application's start takes care of (exit 1 only with `strict`). */
  readonly warnings: readonly string[];
  /** No problems (and, with `strict`, no warnings). */
  readonly ok: boolean;
}

export interface VerifyOptions {
  readonly schema?: string;
  /** Pending migrations and read models due a rebuild fail too (for `migrate: false` / `onShapeChange: 'refuse'` deployments). */
  readonly strict?: boolean;
}

/** Checks that the code whose registry is given can serve the database; see the module comment. */
export async function verifyDatabase(client: SqlClient, registry: Registry, options: VerifyOptions = {}): Promise<DatabaseVerification> {
  const { name: schema, quoted } = resolveSchema(options.schema);
  const problems: string[] = [];
  const warnings: string[] = [];
  const status = await migrationStatus(client, { schema });
  const label = (entry: { version: number; name: string }) => `${String(entry.version).padStart(4, '0')}-${entry.name}`;
  const migrations = {
    applied: status.filter((entry) => entry.state === 'applied').length,
    pending: status.filter((entry) => entry.state === 'pending').map(label),
    changed: status.filter((entry) => entry.state === 'changed').map(label),
    unknown: status.filter((entry) => entry.state === 'unknown').map(label),
  };
  for (const name of migrations.changed) problems.push(`migration ${name} was changed after it ran on this database: add a new migration instead of editing a released one`);
  for (const name of migrations.unknown) problems.push(`migration ${name} was applied by a newer esgen than this code: deploy that version or newer`);
  if (migrations.pending.length > 0) warnings.push(`${migrations.pending.length} pending migration(s) (${migrations.pending.join(', ')}): the application applies them on start, or run \`esgen db migrate\``);

  const initialised = (await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoted}.events`])).rows[0]?.present === true;
  if (!initialised) {
    return finish({ schema, initialised, migrations, events: [], readModels: [], problems, warnings }, options);
  }

  const events = await verifyEvents(client, quoted, registry);
  for (const entry of events) {
    if (entry.status !== 'ok') problems.push(`${entry.count} stored ${entry.type} v${entry.version} event(s): ${entry.detail}`);
  }

  let readModels: ReadModelVerification[] = [];
  // Read models need the projection tables of migration 2.
  const projectionsReady = (await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoted}.projection_leases`])).rows[0]?.present === true;
  if (projectionsReady) {
    const rowCounts = new Map(
      (await client.query<{ projection_name: string; count: string }>(`SELECT projection_name, count(*)::text AS count FROM ${quoted}.projections GROUP BY projection_name`)).rows.map(
        (row) => [row.projection_name, Number(row.count)],
      ),
    );
    const statuses = await projectionStatus(client, registry, { schema });
    readModels = statuses
      .filter((entry) => entry.kind === 'read_model')
      .map((entry) => ({
        projection: entry.name,
        mode: entry.mode ?? 'async',
        rows: rowCounts.get(entry.name) ?? 0,
        rebuildDue: entry.rebuildDue,
        ...(entry.rebuildReason === undefined ? {} : { reason: entry.rebuildReason }),
      }));
    for (const entry of readModels) {
      if (entry.rebuildDue) warnings.push(`read model ${entry.projection} needs a rebuild (${entry.rows} rows): ${entry.reason}; the application rebuilds it on start (onShapeChange: 'rebuild'), or run \`esgen projections rebuild ${entry.projection}\``);
    }
  }
  return finish({ schema, initialised, migrations, events, readModels, problems, warnings }, options);
}

function finish(result: Omit<DatabaseVerification, 'ok'>, options: VerifyOptions): DatabaseVerification {
  return { ...result, ok: result.problems.length === 0 && (options.strict !== true || result.warnings.length === 0) };
}

async function verifyEvents(client: SqlClient, quoted: string, registry: Registry): Promise<StoredEventVersion[]> {
  const groups = await client.query<{ event_type: string; event_version: number; count: string; first: string; last: string }>(
    `SELECT event_type, event_version, count(*)::text AS count, min(global_position)::text AS first, max(global_position)::text AS last
     FROM ${quoted}.events GROUP BY event_type, event_version ORDER BY event_type, event_version`,
  );
  // The oldest and newest payload of every readable (type, version): one statement for all samples.
  const samplePositions = groups.rows.flatMap((row) => [row.first, row.last]);
  const samples = new Map(
    (
      await client.query<{ position: string; event_data: unknown }>(`SELECT global_position::text AS position, event_data FROM ${quoted}.events WHERE global_position = ANY($1::bigint[])`, [
        samplePositions,
      ])
    ).rows.map((row) => [row.position, row.event_data]),
  );
  return groups.rows.map((row) => {
    const base = { type: row.event_type, version: row.event_version, count: Number(row.count) };
    const definition = Object.hasOwn(registry.events, row.event_type) ? registry.events[row.event_type] : undefined;
    if (definition === undefined) {
      return { ...base, status: 'unknown type', detail: `the registry has no event type ${row.event_type} (removed or renamed?)` } as const;
    }
    if (row.event_version > definition.version) {
      return { ...base, status: 'unknown version', detail: `the registry knows ${row.event_type} up to v${definition.version} only` } as const;
    }
    for (const position of new Set([row.first, row.last])) {
      const problem = sampleProblem(definition, row.event_version, samples.get(position));
      if (problem !== undefined) return { ...base, status: 'unreadable', detail: `the stored payload at position ${position} ${problem}` } as const;
    }
    return { ...base, status: 'ok' } as const;
  });
}

function sampleProblem(definition: Registry['events'][string], version: number, data: unknown): string | undefined {
  const describe = (issues: readonly { path: string; message: string }[]) => issues.map((issue) => `${issue.path || '(payload)'}: ${issue.message}`).join('; ');
  const stored = definition.validate(version, data);
  if (!stored.ok) return `does not match v${version} of the spec (${describe(stored.errors)}): was a published version edited in place? Restore it and add a new version with an upcast`;
  if (version === definition.version) return undefined;
  let upcast: unknown;
  try {
    upcast = definition.upcast(version, data);
  } catch (error) {
    return `cannot be upcast from v${version}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const current = definition.validate(definition.version, upcast);
  return current.ok ? undefined : `upcast from v${version} does not match v${definition.version} (${describe(current.errors)})`;
}
