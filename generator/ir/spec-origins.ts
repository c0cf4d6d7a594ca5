import { InternalError } from '../../runtime/errors.js';
import type { SourceLocation } from './types.js';
import type { DocPath, Span, YamlLocator } from '../load/yaml-locator.js';

/**
 * Remembers which YAML node each IR node was built from, so checks that run on the IR can point
 * at the exact key or value (not just the line of the enclosing entry).
 */
export class SpecOrigins {
  readonly #locators = new Map<string, YamlLocator>();
  readonly #origins = new WeakMap<object, { readonly file: string; readonly path: DocPath }>();

  addFile(file: string, locator: YamlLocator): void {
    this.#locators.set(file, locator);
  }

  /** Forgets a file's locator (the file is gone, or its current text did not parse). */
  removeFile(file: string): void {
    this.#locators.delete(file);
  }

  record(node: object, file: string, path: DocPath): void {
    this.#origins.set(node, { file, path });
  }

  /** Whether the YAML has something at `below` under the node (e.g. did the user write `from:`). */
  has(node: object, below: DocPath): boolean {
    const origin = this.#origins.get(node);
    const locator = origin && this.#locators.get(origin.file);
    return locator !== undefined && locator.has([...origin!.path, ...below]);
  }

  /** The document path a node was built from. */
  pathOf(node: object): DocPath {
    const origin = this.#origins.get(node);
    if (!origin) throw new InternalError('an IR node has no recorded origin');
    return origin.path;
  }

  /** Location of a recorded node, or of a path below it (`part: 'key'` for the key). */
  span(node: object, below: DocPath = [], part: 'key' | 'value' = 'value'): { file: string } & Span {
    const origin = this.#origins.get(node);
    if (!origin) throw new InternalError('an IR node has no recorded origin');
    return this.spanAt(origin.file, [...origin.path, ...below], part);
  }

  spanAt(file: string, path: DocPath, part: 'key' | 'value' = 'value'): { file: string } & Span {
    const locator = this.#locators.get(file);
    if (!locator) return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
    return { file, ...locator.locate(path, part) };
  }

  loc(file: string, path: DocPath, part: 'key' | 'value' = 'key'): SourceLocation {
    const { line, column } = this.spanAt(file, path, part);
    return { file, line, column };
  }
}
