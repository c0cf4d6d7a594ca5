/**
 * docs/cli.md against the real CLI: walks every command from `esgen --help` down (each command's
 * `--help`, through its "Commands:" list), and checks that the reference has a section for each,
 * with its usage line, every flag its help lists, and its exit codes; and the other way round,
 * that the reference documents no command and no flag the CLI does not have. A new command or
 * flag only needs its lines in docs/cli.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');

interface CommandHelp {
  /** `esgen db migrate` */
  readonly path: string;
  /** `esgen db migrate [options]`, from the Usage line. */
  readonly usage: string;
  /** Every flag of the Options section, short and long (`-c`, `--config`, `--no-color`). */
  readonly flags: readonly string[];
  readonly subcommands: readonly string[];
}

/** The lines of one section of commander's help ("Options:", "Commands:"). */
function helpSection(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start === -1) return [];
  const end = lines.findIndex((line, index) => index > start && /^\S/.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The term of each entry (`  -c, --config <path>  description` → `-c, --config <path>`); continuation lines have none. */
const terms = (lines: readonly string[]) => lines.map((line) => /^ {2}(\S.*?)(?: {2,}|$)/.exec(line)?.[1]).filter((term): term is string => term !== undefined);

const flagsIn = (text: string) => text.match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? [];

function readHelp(words: readonly string[]): CommandHelp {
  const result = spawnSync(process.execPath, [bin, ...words, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(result.status, `esgen ${words.join(' ')} --help: ${result.stderr}`).toBe(0);
  const help = result.stdout;
  const usage = /^Usage: (.+)$/m.exec(help)?.[1];
  expect(usage, help).toBeDefined();
  return {
    path: ['esgen', ...words].join(' '),
    usage: usage!,
    flags: terms(helpSection(help, 'Options')).flatMap(flagsIn),
    subcommands: terms(helpSection(help, 'Commands'))
      .map((term) => term.split(' ')[0]!)
      .filter((name) => name !== 'help'),
  };
}

function walk(words: readonly string[] = []): CommandHelp[] {
  const command = readHelp(words);
  return [command, ...command.subcommands.flatMap((name) => walk([...words, name]))];
}

/** docs/cli.md cut into command sections: a heading naming `esgen …` up to the next such heading or `## ` heading. */
function docSections(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^#{2,4} `(esgen(?: [a-z][\w-]*)*)`\s*$/.exec(line);
    if (heading) {
      current = heading[1]!;
      expect(sections.has(current), `docs/cli.md has two sections for ${current}`).toBe(false);
      sections.set(current, '');
    } else if (/^## /.test(line)) {
      current = undefined;
    } else if (current !== undefined) {
      sections.set(current, `${sections.get(current)!}${line}\n`);
    }
  }
  return sections;
}

/**
 * Flags a command's section documents: code spans that are flags (`--format <format>`) or that
 * show this command with flags (`esgen check --strict`). Prose words with dashes, and examples of
 * other commands (`npm init -y`), are not flags of this command.
 */
const documentedFlags = (section: string, path: string) =>
  [...section.matchAll(/`([^`\n]+)`/g)].flatMap(([, span]) => (span!.startsWith('-') || span!.startsWith(`${path} -`) ? flagsIn(span!) : []));

/** Every command takes -h, --help; the reference says so once, at the top. */
const everywhere = new Set(['-h', '--help']);

describe('docs/cli.md', () => {
  let commands: CommandHelp[];
  let sections: Map<string, string>;

  beforeAll(() => {
    commands = walk();
    sections = docSections(readFileSync(join(root, 'docs/cli.md'), 'utf8'));
  }, 120_000);

  it('finds the commands through --help', () => {
    const paths = commands.map((command) => command.path);
    for (const path of ['esgen', 'esgen init', 'esgen build', 'esgen check', 'esgen db migrate', 'esgen projections rebuild', 'esgen publish run']) expect(paths).toContain(path);
  });

  it('has a section for every command, and none for a command the CLI does not have', () => {
    expect([...sections.keys()].sort()).toEqual(commands.map((command) => command.path).sort());
  });

  it("shows each command's usage line as --help prints it", () => {
    for (const command of commands) expect(sections.get(command.path) ?? '', command.path).toContain(command.usage);
  });

  it('documents every flag of every command in its section', () => {
    const missing = commands.flatMap((command) => {
      const documented = new Set(documentedFlags(sections.get(command.path) ?? '', command.path));
      const own = command.path === 'esgen' ? command.flags : command.flags.filter((flag) => !everywhere.has(flag));
      return own.filter((flag) => !documented.has(flag)).map((flag) => `${command.path} ${flag}`);
    });
    expect(missing).toEqual([]);
  });

  it('documents no flag a command does not have', () => {
    const unknown = commands.flatMap((command) => {
      const real = new Set([...command.flags, ...everywhere]);
      return documentedFlags(sections.get(command.path) ?? '', command.path)
        .filter((flag) => !real.has(flag))
        .map((flag) => `${command.path} ${flag}`);
    });
    expect(unknown).toEqual([]);
  });

  it('gives the exit codes of every command that does something (not only groups others)', () => {
    const leaves = commands.filter((command) => command.path !== 'esgen' && (command.subcommands.length === 0 || command.flags.some((flag) => !everywhere.has(flag))));
    const without = leaves.filter((command) => !/^Exit codes?: /m.test(sections.get(command.path) ?? '')).map((command) => command.path);
    expect(without).toEqual([]);
  });
});
