/**
 * What every emitter receives besides the IR (the ts-morph module, loaded lazily by the codegen
 * session, and where things live), what it returns, and the one function that prints a file from
 * ts-morph structures.
 */
import { posix } from 'node:path';
import type { StatementStructures, WriterFunction } from 'ts-morph';
import { FileImports } from './file-imports.js';

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

/** One generated file being built: its path, its imports (recorded as names are used) and its statements. */
export class FileBuilder {
  readonly imports = new FileImports();
  readonly statements: StatementStructures[] = [];

  constructor(
    readonly context: EmitContext,
    readonly path: string,
  ) {}

  /** A name exported by the runtime, used as a value. */
  runtime(name: string): string {
    return this.imports.value(this.context.runtimeImport, name);
  }

  /** A type exported by the runtime. */
  runtimeType(name: string): string {
    return this.imports.type(this.context.runtimeImport, name);
  }

  /** A name of another generated file of this aggregate folder (`events.ts`), or of any output path. */
  local(file: string, name: string, use: 'value' | 'type'): string {
    const specifier = relativeImport(this.path, file);
    return use === 'value' ? this.imports.value(specifier, name) : this.imports.type(specifier, name);
  }

  /** Names this file declares (see FileImports.declare). */
  declare(...names: string[]): void {
    this.imports.declare(...names);
  }

  add(...statements: StatementStructures[]): void {
    this.statements.push(...statements);
  }

  /**
   * Prints imports and statements through ts-morph's structure printer (prettier lays it out
   * afterwards): imports together, a blank line between other statements (prettier keeps blank
   * lines but never adds them), re-exports together. One printer call per file: each call builds
   * a printer and a writer, which cost more than printing a statement.
   */
  print(spec: string): EmittedFile {
    const { printStructure, StructureKind } = this.context.tsm;
    const imports: StatementStructures[] = this.imports.declarations().map((declaration) => ({ ...declaration, kind: StructureKind.ImportDeclaration }));
    if (imports.length === 0 && this.statements.length === 0) return { path: this.path, spec, text: 'export {};\n' };
    const blankLine: WriterFunction = (writer) => writer.blankLineIfLastNot();
    const statements: (StatementStructures | WriterFunction)[] = [...imports];
    let previous: StatementStructures | undefined;
    for (const statement of this.statements) {
      const together = previous?.kind === StructureKind.ExportDeclaration && statement.kind === StructureKind.ExportDeclaration;
      if (statements.length > 0 && !together) statements.push(blankLine);
      statements.push(statement);
      previous = statement;
    }
    const text = printStructure({ kind: StructureKind.SourceFile, statements }).trimEnd();
    return { path: this.path, spec, text: `${text}\n` };
  }
}
