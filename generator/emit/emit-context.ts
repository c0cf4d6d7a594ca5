/**
 * What every emitter receives besides the IR: the ts-morph module (loaded lazily by the build
 * session) and where things live.
 */
import { posix } from 'node:path';

export type TsMorph = typeof import('ts-morph');

export interface EmitOptions {
  /** Module specifier of the runtime in generated imports (config `runtimeImport`). */
  readonly runtimeImport: string;
  /** The user-owned source folder, relative to the output folder, with forward slashes (e.g. `..`). */
  readonly sourceFromOutput: string;
  /** The config file, relative to the config's folder: named in the banner of files built from every spec. */
  readonly configFile: string;
}

export interface EmitContext extends EmitOptions {
  readonly tsm: TsMorph;
}

/** A generated file before formatting: its path under the output folder and the spec it came from. */
export interface EmittedFile {
  /** Relative to the output folder, forward slashes. */
  readonly path: string;
  /** Spec file (relative to the config's folder) named in the banner. */
  readonly spec: string;
  readonly text: string;
}

/** A user-owned file: written once when missing, never touched again. */
export interface ScaffoldFile {
  /** Relative to the source folder, forward slashes. */
  readonly path: string;
  readonly text: string;
  /** Exports the generated code imports from it (reported when a kept file lacks one). */
  readonly requiredExports: readonly string[];
}

/**
 * Module specifier from a generated file to another path under the output folder or the source
 * folder, with the `.js` extension NodeNext resolution wants.
 */
export function relativeImport(fromFile: string, toFile: string): string {
  const specifier = posix.relative(posix.dirname(fromFile), toFile).replace(/\.ts$/, '.js');
  return specifier.startsWith('.') ? specifier : `./${specifier}`;
}

/** Path of a user-owned file as seen from the output folder (for relativeImport). */
export function sourcePath(options: EmitOptions, fileInSource: string): string {
  return posix.normalize(posix.join(options.sourceFromOutput, fileInSource));
}

/**
 * Prints a source file from statements: structures (interfaces, type aliases, variables) through
 * ts-morph's structure printer, text as it is. Printing needs no Project and no parse, and text
 * skips the printer's character-by-character pass (a third of a cold build's emitting time):
 * prettier lays out everything afterwards anyway.
 */
export function printSourceFile(context: EmitContext, _path: string, statements: readonly (string | import('ts-morph').StatementStructures)[]): string {
  const isImport = (statement: unknown) => typeof statement === 'string' && statement.startsWith('import ');
  let text = '';
  statements.forEach((statement, index) => {
    // A blank line between top-level statements except between imports (prettier keeps blank lines but never adds them).
    if (index > 0) text += isImport(statement) && isImport(statements[index - 1]) ? '\n' : '\n\n';
    text += typeof statement === 'string' ? statement : context.tsm.printStructure(statement).trimEnd();
  });
  return `${text}\n`;
}
