/**
 * The `esgen` command line. This file only wires commands; each command module registers its
 * flags and loads its heavy implementation (ts-morph, prettier, database drivers) lazily inside
 * the action, so `esgen --help` and `esgen --version` stay fast.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commands } from './commands/index.js';
import { reportUnexpected } from './report-unexpected.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('esgen')
  .description('Schema-first event sourcing for TypeScript on PostgreSQL')
  .version(packageJson.version, '-v, --version')
  .showHelpAfterError()
  // Options after a command name belong to that command (`esgen events Order o-1 --version 3` is
  // the stream version, not esgen's), and a command's own subcommands keep their flags.
  .enablePositionalOptions()
  .configureHelp({ sortSubcommands: false });

for (const register of commands) register(program);

program.parseAsync(process.argv).catch(reportUnexpected);
