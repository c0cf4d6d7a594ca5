/**
 * The acceptance check on the examples: every example read model (inline and async, as
 * generated from the example specs), fed by an example scenario, equals the rows computed by
 * replaying all events through the generated mappers; a blue/green rebuild reproduces them.
 */
import { describe, expect, it } from 'vitest';
import { createReadModelManager } from '../../runtime/index.js';
import { createEventReplayer } from '../../runtime/admin.js';
import { openTestDatabase } from '../support/database.js';
import { exampleScenarios } from './example-scenarios.js';
import { allEvents, expectedRows, prepareLedger, projectionRows } from './projection-test-kit.js';

describe.each(exampleScenarios)('the $example example', ({ registry, run }) => {
  it('keeps every read model equal to a replay of its events, also after a rebuild', async () => {
    const db = await openTestDatabase();
    try {
      const store = await prepareLedger(db, registry);
      const manager = createReadModelManager({ client: db.client, registry, schema: db.schema, pollIntervalMs: 50, batchSize: 7, personalData: store.personalData });
      await manager.start();
      await run(store);
      await manager.waitForCatchUp({ timeoutMs: 20_000 });
      await manager.stop();
      const events = await allEvents(store);
      expect(events.length).toBeGreaterThan(20);
      const definitions = Object.values(registry.readModels);
      expect(definitions.length).toBeGreaterThan(0);
      for (const definition of definitions) {
        const expected = expectedRows(definition, events);
        expect(expected.size, `${definition.projection} has rows`).toBeGreaterThan(0);
        expect(await projectionRows(db.client, db.schema, definition.projection), definition.projection).toEqual(expected);
      }
      if (registry.readModels.DailyMovements) {
        // `subtract` on the database, against a sum computed here from the stored events.
        const net = new Map<string, number>();
        for (const event of events) {
          if (event.type !== 'MoneyDeposited' && event.type !== 'MoneyWithdrawn') continue;
          const day = event.occurredAt.toISOString().slice(0, 10);
          const amount = (event.data as { amount: number }).amount;
          net.set(day, (net.get(day) ?? 0) + (event.type === 'MoneyDeposited' ? amount : -amount));
        }
        const rows = await projectionRows(db.client, db.schema, 'daily_movements');
        expect(new Map([...rows].map(([day, row]) => [day, (row as { net: number }).net]))).toEqual(net);
      }
      const replayer = createEventReplayer({ client: db.client, registry, schema: db.schema, batchSize: 11, personalData: store.personalData });
      for (const definition of definitions) {
        await replayer.rebuild(definition.projection);
        expect(await projectionRows(db.client, db.schema, definition.projection), `${definition.projection} after rebuild`).toEqual(expectedRows(definition, events));
      }
    } finally {
      await db.dispose();
    }
  });
});
