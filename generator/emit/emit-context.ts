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
 * Prints a source file from statements with ts-morph's structure printer. Emitters hand over
 * structures (interfaces, type aliases, variables) or text; printing needs no Project and no
 * parse, which matters when a cold build prints hundreds of files.
 */
export function printSourceFile(context: EmitContext, _path: string, statements: readonly (string | import('ts-morph').StatementStructures)[]): string {
  // A blank line between top-level statements except between imports (the structure printer
  // joins text statements without one, and prettier keeps blank lines but never adds them).
  const isImport = (statement: unknown) => typeof statement === 'string' && statement.startsWith('import ');
  const spaced = statements.flatMap((statement, index) =>
    index === 0 || (isImport(statement) && isImport(statements[index - 1])) ? [statement] : [(writer: import('ts-morph').CodeBlockWriter) => writer.blankLine(), statement],
  );
  return context.tsm.printStructure({ kind: context.tsm.StructureKind.SourceFile, statements: spaced });
}
