/**
 * Bad events at runtime get a typed error and lose nothing: random payloads of random domains
 * with one value that JSON or PostgreSQL cannot store (NUL, lone surrogates, NaN, ±Infinity,
 * undefined inside json) are refused by `save` with InvalidEvent (ESG202), never a raw
 * PostgreSQL error (22P05, 22P02) and never stored changed; nothing is written (no event, no
 * inline read-model row). Runs on PGlite, and on the server with DATABASE_URL.
 *
 * Replay a seed: `ESGEN_SEED=3 npx vitest run test/property/hostile-payloads.pg.test.ts`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildSession } from '../../generator/index.js';
import { createEventSourcing, isEsgenError, type AggregateRootLike } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { importAggregateClass, importRegistry } from './generated-layout.js';
import { hostileMetadata, hostilePayload } from './hostile-values.js';
import { buildWithLibrary, describeFailure, prepareBase, writeProject } from './property-project.js';
import { propertySeeds } from './property-seeds.js';
import { currentVersion } from './domain-model.js';
import { randomPayload } from './random-values.js';
import { errorCause } from './round-trip.js';
import { testPersonalData } from '../support/personal-data.js';
import { createRandom } from './seeded-random.js';
import { writeUserCode } from './user-code.js';

const runtimeDomains = { forRuntime: true } as const;
const seeds = propertySeeds(6, runtimeDomains).slice(0, 6);
const attemptsPerAggregate = 8;
const base = mkdtempSync(join(tmpdir(), 'esgen-hostile-'));
prepareBase(base);
const session = createBuildSession();

interface HarnessAggregate extends AggregateRootLike {
  raiseByName(type: string, data: unknown): void;
}

describe('payloads JSON or PostgreSQL cannot store are refused with InvalidEvent, and nothing is written', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.dispose();
    if (!process.env.ESGEN_KEEP) rmSync(base, { recursive: true, force: true });
  });

  it.each(seeds)('seed %i', async (seed) => {
    const project = writeProject(base, seed, runtimeDomains);
    const build = await buildWithLibrary(project, session);
    if (!build.ok) expect.fail(describeFailure(project, [build.output]));
    writeUserCode(project);
    const schema = `${db.schema}_h${seed}`;
    const es = await createEventSourcing({ registry: await importRegistry(project), client: db.client, schema, personalData: testPersonalData() });
    const random = createRandom(seed).fork('hostile');
    const failures: string[] = [];
    let attempts = 0;
    const count = async (table: string) => Number((await db.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.${table}`)).rows[0]!.n);
    try {
      for (const aggregate of project.domain.aggregates) {
        const repository = es.repository(await importAggregateClass(project, aggregate));
        for (let i = 0; i < attemptsPerAggregate; i++) {
          const hostile = hostilePayload(aggregate, random.pick(aggregate.events), random);
          if (!hostile) continue;
          attempts++;
          const id = aggregate.idType === 'uuid' ? randomUUID() : `hostile-${i}`;
          const what = `${aggregate.name}.${hostile.event.name}: ${hostile.description}`;
          const [eventsBefore, rowsBefore] = [await count('events'), await count('projections')];
          const instance = repository.create(id) as HarnessAggregate;
          try {
            instance.raiseByName(hostile.event.name, hostile.payload);
          } catch (error) {
            failures.push(`${what}: raising it threw ${errorCause(error)} (apply must not fail on a payload it will refuse later)`);
            continue;
          }
          const outcome = await repository.save(instance).then(
            () => 'saved',
            (error: unknown) => (isEsgenError(error, 'ESG202') ? 'refused' : `failed with ${errorCause(error)}`),
          );
          const [eventsAfter, rowsAfter] = [await count('events'), await count('projections')];
          if (outcome === 'saved') failures.push(`${what}: was saved (the stored JSON is not what was raised)`);
          else if (outcome !== 'refused') failures.push(`${what}: ${outcome} instead of InvalidEvent (ESG202)`);
          if (outcome !== 'saved' && (eventsAfter !== eventsBefore || rowsAfter !== rowsBefore)) {
            failures.push(`${what}: the failed save still wrote ${eventsAfter - eventsBefore} events and ${rowsAfter - rowsBefore} read-model rows`);
          }
        }
      }
    } finally {
      await es.close();
      if (db.backend === 'server') await db.client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
    if (failures.length > 0) expect.fail(describeFailure(project, [`${failures.length} problems with ${attempts} hostile payloads (each must be refused with InvalidEvent, writing nothing):`, ...failures]));
    expect(attempts).toBeGreaterThan(0);
  });

  it('metadata that JSON or PostgreSQL cannot store is refused with a typed error, and nothing is written', async () => {
    const project = writeProject(base, seeds[0]!, runtimeDomains);
    const build = await buildWithLibrary(project, session);
    if (!build.ok) expect.fail(describeFailure(project, [build.output]));
    writeUserCode(project);
    const schema = `${db.schema}_meta`;
    const es = await createEventSourcing({ registry: await importRegistry(project), client: db.client, schema, personalData: testPersonalData() });
    const random = createRandom(seeds[0]!).fork('hostile-metadata');
    const aggregate = project.domain.aggregates[0]!;
    const repository = es.repository(await importAggregateClass(project, aggregate));
    const failures: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const metadata = hostileMetadata(random);
        const instance = repository.create(aggregate.idType === 'uuid' ? randomUUID() : `meta-${i}`) as HarnessAggregate;
        const event = random.pick(aggregate.events);
        instance.raiseByName(event.name, randomPayload(aggregate, currentVersion(event).fields, random));
        const outcome = await repository.save(instance, { metadata: metadata.value }).then(
          () => 'was saved (the stored metadata is not what was given)',
          (error: unknown) => (isEsgenError(error) ? undefined : `failed with ${errorCause(error)} instead of a typed esgen error`),
        );
        if (outcome) failures.push(`metadata ${metadata.description}: ${outcome}`);
      }
      const written = Number((await db.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.events`)).rows[0]!.n);
      if (written > 0 && failures.length === 0) failures.push(`${written} events were written by refused saves`);
    } finally {
      await es.close();
      if (db.backend === 'server') await db.client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
    expect(failures).toEqual([]);
  });
});
