/**
 * One writer process of the torture test: appends to its own accounts with the inline read model,
 * holding some transactions open on purpose (the onAppend hook sleeps inside the append's
 * transaction) and rolling others back (the hook throws after the insert took its positions).
 * Usage: node --import tsx torture-writer.ts <databaseUrl> <schema> <writer> <appends>
 */
import { createEventStore, type OnAppend } from '../../../runtime/index.js';
import { createInlineProjector } from '../../../runtime/admin.js';
import { createPgClient } from '../../../runtime/pg-client.js';
import { tortureRegistry } from './torture-registry.js';

const [databaseUrl, schema, writer, appendsText] = process.argv.slice(2) as [string, string, string, string];
const client = await createPgClient({ connectionString: databaseUrl, poolConfig: { max: 3 } });
const inline = createInlineProjector(tortureRegistry, { schema });
let random = Number(writer) * 7919 + 17;
const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;

class Rollback extends Error {}
let plan: 'commit' | 'hold' | 'rollback' = 'commit';
const onAppend: OnAppend = async (tx, events) => {
  await inline(tx, events);
  if (plan === 'hold') await new Promise((resolve) => setTimeout(resolve, 50 + next() * 250));
  if (plan === 'rollback') throw new Rollback('deliberate rollback');
};
const store = createEventStore({ client, registry: tortureRegistry, schema, onAppend });
const versions = new Map<string, number>();
let committed = 0;
let rolledBack = 0;
for (let i = 0; i < Number(appendsText); i++) {
  const account = `w${writer}-${Math.floor(next() * 5)}`;
  const version = versions.get(account) ?? 0;
  const day = new Date(Date.UTC(2026, 2, 1 + Math.floor(next() * 4), 12));
  const events =
    version === 0
      ? [{ type: 'AccountOpened', data: { owner: `owner-${writer}` }, occurredAt: day }]
      : Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
          type: next() < 0.7 ? 'MoneyDeposited' : 'MoneyWithdrawn',
          data: { amount: 1 + Math.floor(next() * 100) },
          occurredAt: day,
        }));
  const roll = next();
  plan = roll < 0.1 ? 'rollback' : roll < 0.25 ? 'hold' : 'commit';
  try {
    const result = await store.appendToStream('Account', account, events, { expectedVersion: version });
    versions.set(account, result.nextVersion);
    committed += events.length;
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
    rolledBack += events.length;
  }
}
console.log(JSON.stringify({ writer, committed, rolledBack }));
await client.close();
