/**
 * `npm run bench [-- --only <area>[:<workload>]] [-- --database-url <url>]`: runs every
 * bench/<area>.bench.ts in turn. Each exports a default async function receiving
 * { databaseUrl, only } and prints its own tables: esgen against a plain-driver baseline issuing
 * the same SQL in the same run, as medians of several repetitions.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface BenchOptions {
  /** Server to create the bench databases on; default postgres://postgres@127.0.0.1:5432/postgres. */
  readonly databaseUrl?: string;
  /** A workload filter inside the area (the part after `:` in --only area:workload). */
  readonly only?: string;
}

export type BenchArea = (options: BenchOptions) => Promise<void>;

function parseArguments(argv: readonly string[]): { area?: string; only?: string; databaseUrl?: string } {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const selection = value('--only');
  const [area, only] = selection === undefined ? [undefined, undefined] : selection.split(':', 2);
  return { area, only, databaseUrl: value('--database-url') ?? process.env.DATABASE_URL ?? undefined };
}

async function main(): Promise<void> {
  const { area, only, databaseUrl } = parseArguments(process.argv.slice(2));
  const folder = fileURLToPath(new URL('.', import.meta.url));
  const files = readdirSync(folder)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => area === undefined || file === `${area}.bench.ts`)
    .sort();
  if (files.length === 0) {
    console.error(`bench: no bench/${area ?? '*'}.bench.ts`);
    process.exitCode = 1;
    return;
  }
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run node with --expose-gc for steadier numbers)');
  for (const file of files) {
    console.log(`\n=== ${file} ===`);
    const module = (await import(pathToFileURL(join(folder, file)).href)) as { default: BenchArea };
    await module.default({ databaseUrl, only });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
