/**
 * Resolves command-line flags and the environment into one context object, once. Nothing below
 * the CLI reads process.argv or process.env: the generator gets what it needs from here.
 *
 * Conventions shared by project commands (validate, build, check, watch):
 *   --cwd <dir>      folder to run in (default: the current directory)
 *   --config <path>  esgen.config.yaml to use, relative to --cwd (default: <cwd>/esgen.config.yaml)
 *   --no-color       plain output (also NO_COLOR=1; colour is off when output is not a terminal)
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../generator/diagnostics/types.js';

export interface ProjectFlags {
  readonly cwd?: string;
  readonly config?: string;
  readonly color?: boolean;
}

export interface CliContext {
  /** Absolute folder the command runs in. */
  readonly cwd: string;
  /** Absolute path of the config file (given or default). */
  readonly configPath: string;
  /** Folder of the config file: diagnostics and IR paths are relative to it. */
  readonly projectRoot: string;
  /** Colour on stdout / stderr. */
  readonly color: { readonly stdout: boolean; readonly stderr: boolean };
  /** The environment, passed explicitly to the generator (DATABASE_URL). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Adds --cwd, --config and --no-color to a project command. */
export function addProjectOptions(command: Command): Command {
  return command
    .option('--cwd <dir>', 'run as if started in <dir>')
    .option('-c, --config <path>', 'path of esgen.config.yaml (default: ./esgen.config.yaml)')
    .option('--no-color', 'disable coloured output');
}

export function resolveCliContext(flags: ProjectFlags, env: Readonly<Record<string, string | undefined>> = process.env): CliContext {
  const cwd = resolve(process.cwd(), flags.cwd ?? '.');
  const configPath = resolve(cwd, flags.config ?? 'esgen.config.yaml');
  const colorAllowed = flags.color !== false && !env.NO_COLOR && env.TERM !== 'dumb';
  const forced = Boolean(env.FORCE_COLOR) && env.FORCE_COLOR !== '0';
  return {
    cwd,
    configPath,
    projectRoot: dirname(configPath),
    color: {
      stdout: colorAllowed && (forced || Boolean(process.stdout.isTTY)),
      stderr: colorAllowed && (forced || Boolean(process.stderr.isTTY)),
    },
    env,
  };
}

/** A path relative to the project root, shown relative to the cwd (so terminals can open it). */
export function displayPath(context: CliContext, fileInProject: string): string {
  if (isAbsolute(fileInProject)) return fileInProject;
  const shown = relative(context.cwd, resolve(context.projectRoot, fileInProject)).split('\\').join('/');
  return shown === '' ? '.' : shown;
}

/** Diagnostics and the sources of their code frames, with paths shown relative to the cwd. */
export function diagnosticsForDisplay(
  context: CliContext,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
  return {
    diagnostics: diagnostics.map((d) => ({ ...d, file: displayPath(context, d.file) })),
    sources: new Map([...sources].map(([file, text]) => [displayPath(context, file), text])),
  };
}
