/**
 * One variant of gaps.bench.ts's node-postgres read workload, in a process of its own: V8 decides
 * per process (allocation-site pretenuring) how the rows of a query are allocated, so variants
 * sharing a process measure alike. Prints { cpuMs, gcMs } per read as JSON.
 *
 *   node --import tsx bench/support/pg-read-variant.ts <url> <promise|callback> <timeout|none> <reads>
 */
import { PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';

const [url, form, timeout, readsText] = process.argv.slice(2);
const reads = Number(readsText);
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const client = new pg.Client({ connectionString: url, ...(timeout === 'timeout' ? { query_timeout: 35_000 } : {}) } as pg.ClientConfig);
await client.connect();
const query = { name: 'gaps_read', text: 'SELECT * FROM gaps_rows' };
const read = () =>
  form === 'callback'
    ? new Promise((resolve, reject) => client.query(query, (error: Error | null | undefined, result: unknown) => (error ? reject(error) : resolve(result))))
    : client.query(query);
// Warm up (the JIT and the statement), then measure.
for (let i = 0; i < 50; i++) await read();
const cpu = process.cpuUsage();
const gc = gcMs;
for (let i = 0; i < reads; i++) await read();
const used = process.cpuUsage(cpu);
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({ cpuMs: (used.user + used.system) / reads / 1000, gcMs: (gcMs - gc) / reads }));
await client.end();
