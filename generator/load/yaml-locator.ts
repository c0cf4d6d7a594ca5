import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A 1-based span in a file. */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A path into the parsed document, as JSON Schema and the IR builder see it. */
export type DocPath = readonly (string | number)[];

/**
 * Maps a path into the parsed value back to the YAML node it came from, using the node ranges the
 * yaml package keeps (`range: [start, valueEnd, nodeEnd]`, character offsets).
 */
export class YamlLocator {
  readonly #doc: Document.Parsed;
  readonly #lines: LineCounter;

  constructor(doc: Document.Parsed, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * Span of the node at `path`: its value, or with `part: 'key'` the key it sits under (better for
   * "unknown property" and "missing property"). Resolves as deep as it can and falls back to the
   * deepest node found, so a diagnostic always has a position.
   */
  locate(path: DocPath, part: 'key' | 'value' = 'value'): Span {
    let node: unknown = this.#doc.contents;
    let keyNode: unknown;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        keyNode = item;
        node = item;
      } else break;
    }
    const target = (part === 'key' && keyNode !== undefined ? keyNode : node) as Node | null | undefined;
    return this.spanOf(target?.range ? target.range[0] : 0, target?.range ? target.range[1] : 0);
  }

  /** Whether the document has a node at exactly `path`. */
  has(path: DocPath): boolean {
    let node: unknown = this.#doc.contents;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return false;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        if (segment >= node.items.length) return false;
        node = node.items[segment];
      } else return false;
    }
    return true;
  }

  /** Span between two character offsets. */
  spanOf(start: number, end: number): Span {
    const from = this.#lines.linePos(start);
    const to = this.#lines.linePos(Math.max(start, end));
    return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
  }
}
