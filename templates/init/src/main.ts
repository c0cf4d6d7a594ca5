/**
 * Your first esgen program: saves a Task (its events go to the event store), loads it back from
 * those events, and queries the OpenTasks read model. Runs on embedded PGlite in memory, so every
 * run starts from an empty database and needs no server.
 *
 *   npm run dev     esgen build, then runs this file and reruns it whenever src/ changes
 *   npm start       runs it once
 *
 * For a PostgreSQL server, pass `databaseUrl: process.env.DATABASE_URL` to createEventSourcing; for
 * embedded PGlite that keeps its data, pass `dataDir: '.esgen/pgdata'`.
 */
import { randomUUID } from 'node:crypto';
import { createEventSourcing } from 'esgen/runtime';
import { Task } from './domain/task.js';
import { openTasksReadModel, registry } from './generated/index.js';

const es = await createEventSourcing({ registry });
try {
  const tasks = es.repository(Task);

  // A command: create the aggregate, call a business method, save. TaskCreated is stored.
  const id = randomUUID();
  const task = tasks.create(id);
  task.create('Write the first spec');
  await tasks.save(task);

  // Load it back (replaying its events), change it, save again. TaskAssigned is stored.
  const loaded = await tasks.load(id);
  loaded.assign('ada');
  await tasks.save(loaded);
  console.log(`saved Task ${id} at version ${loaded.version}: ${JSON.stringify(loaded.state)}`);

  for (const event of await es.store.getEventsByAggregate('Task', id)) {
    console.log(`  event v${event.version} ${event.type} ${JSON.stringify(event.data)}`);
  }

  // Read models are filled by a worker that follows the events table; wait until it caught up.
  const worker = es.readModelManager();
  await worker.start();
  await worker.waitForCatchUp();
  const rows = await es.readModel(openTasksReadModel).find({ where: { assignee: 'ada' } });
  console.log(`open tasks assigned to ada: ${rows.length}`);
  for (const row of rows) console.log(`  ${row.title} (created ${row.createdAt})`);
  await worker.stop();
} finally {
  await es.close();
}
