/**
 * Generated code round-trips on the runtime, for random valid domains and random valid payloads
 * (edge values included): what is saved is what loads, at every version, through upcasts and
 * snapshots, and read-model rows equal a replay. Runs on PGlite, and on the server with
 * DATABASE_URL. See round-trip.ts for the checks.
 *
 * Replay a seed: `ESGEN_SEED=5 npx vitest run test/property/round-trip.pg.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildSession } from '../../generator/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { buildWithLibrary, describeFailure, prepareBase, writeProject } from './property-project.js';
import { propertySeeds } from './property-seeds.js';
import { formatDifferences, roundTrip } from './round-trip.js';
import { writeUserCode } from './user-code.js';

const runtimeDomains = { forRuntime: true } as const;
const seeds = propertySeeds(8, runtimeDomains);
const base = mkdtempSync(join(tmpdir(), 'esgen-round-trip-'));
prepareBase(base);
const session = createBuildSession();

describe('random domains round-trip on the runtime', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.dispose();
    if (!process.env.ESGEN_KEEP) rmSync(base, { recursive: true, force: true });
  });

  it.each(seeds)('seed %i: saved state equals loaded state at every version, upcasts match the oracle, read models equal a replay', async (seed) => {
    const project = writeProject(base, seed, runtimeDomains);
    const build = await buildWithLibrary(project, session);
    if (!build.ok) expect.fail(describeFailure(project, [build.output]));
    writeUserCode(project);
    const schema = `${db.schema}_s${seed}`;
    try {
      const report = await roundTrip(project, { client: db.client, schema });
      if (report.differences.length > 0) expect.fail(describeFailure(project, [formatDifferences(report)]));
      expect(report.counts.saves).toBeGreaterThan(0);
      expect(report.counts.loads).toBeGreaterThan(0);
    } finally {
      if (db.backend === 'server') await db.client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
