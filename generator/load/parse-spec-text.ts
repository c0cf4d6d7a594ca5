import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
import { LineCounter, isMap, isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
import type { Diagnostic } from '../diagnostics/types.js';
import { YamlLocator, type Span } from './yaml-locator.js';

/** Files larger than this are refused before parsing: specs are small, and YAML parsing is superlinear on some inputs. */
export const maxSpecBytes = 1024 * 1024;

const plainTags = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

/** Alias expansions allowed when converting to plain values; blocks "billion laughs" documents. */
const maxAliasCount = 100;

/** The outcome of reading one file as YAML, before any schema check. */
export interface ParsedYaml {
  readonly file: string;
  /** The plain value; undefined when the file could not be parsed into a mapping. */
  readonly value: Record<string, unknown> | undefined;
  readonly locator: YamlLocator | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Decodes raw bytes as UTF-8, refusing invalid sequences (TextDecoder with `fatal`) and files over
 * the size cap. Returns the text or a diagnostic.
 */
export function decodeSpecBytes(file: string, bytes: Uint8Array): { text: string } | { diagnostic: Diagnostic } {
  if (bytes.byteLength > maxSpecBytes) return { diagnostic: tooLarge(file, bytes.byteLength) };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text };
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, offset));
    const lines = before.split('\n');
    return {
      diagnostic: {
        code: 'ESG006',
        severity: 'error',
        message: `the file is not valid UTF-8 (invalid byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at byte ${offset})`,
        file,
        line: lines.length,
        column: (lines.at(-1)?.length ?? 0) + 1,
        hint: 'save the file as UTF-8',
      },
    };
  }
}

export function tooLarge(file: string, size: number): Diagnostic {
  return {
    code: 'ESG005',
    severity: 'error',
    message: `the file is ${(size / 1024 / 1024).toFixed(1)} MiB; spec files are limited to 1 MiB`,
    file,
    line: 1,
    column: 1,
    hint: 'split the domain into one file per aggregate',
  };
}

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.byteLength;
  // Binary search for the shortest invalid prefix; cutting inside a valid multi-byte sequence can
  // also fail, so step back to the start of that sequence.
  while (low < high) {
    const mid = (low + high) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1));
      low = mid + 1;
    } catch {
      high = mid;
    }
  }
  let offset = low;
  while (offset > 0 && ((bytes[offset] ?? 0) & 0xc0) === 0x80) offset--;
  return offset;
}

/** Parses spec text as a single YAML 1.2 document whose root is a mapping. Never throws. */
export function parseSpecText(file: string, text: string, kind: 'spec' | 'config' = 'spec'): ParsedYaml {
  const diagnostics: Diagnostic[] = [];
  const fail = (): ParsedYaml => ({ file, value: undefined, locator: undefined, diagnostics });
  if (text.length > maxSpecBytes) {
    diagnostics.push(tooLarge(file, Buffer.byteLength(text)));
    return fail();
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trim() === '') {
    diagnostics.push({ code: 'ESG007', severity: 'error', message: 'the file is empty', file, line: 1, column: 1, hint: 'start with `aggregate: Name`' });
    return fail();
  }

  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    // YAML 1.2 core schema: `on`, `yes`, `no` stay strings and timestamps are not converted.
    doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'core', merge: false, strict: true });
  } catch (error) {
    diagnostics.push({ code: 'ESG101', severity: 'error', message: `the file cannot be parsed as YAML: ${String(error)}`, file, line: 1, column: 1 });
    return fail();
  }
  const locator = new YamlLocator(doc, lines);
  const at = (pos: readonly [number, number]): Span => locator.spanOf(pos[0], pos[1]);

  // After the first syntax error the parser's recovery produces a cascade of follow-up errors:
  // report the first one, plus duplicate keys and tabs, which are independent of each other.
  doc.errors.forEach((error, i) => {
    if (i > 0 && error.code !== 'DUPLICATE_KEY' && error.code !== 'TAB_AS_INDENT') return;
    const diagnostic = yamlErrorDiagnostic(error.code, error.message);
    const lineText = source.split(/\r?\n/)[lines.linePos(error.pos[0]).line - 1] ?? '';
    // `{ items: OrderItem[] }`: `[` and `]` end a plain scalar inside a flow mapping (YAML 1.2 §7.3.3).
    if (diagnostic.code === 'ESG101' && /\{.*\w\[\]/.test(lineText)) {
      diagnostic.hint = 'inside `{ ... }` YAML does not allow `[]` in plain text: write `[OrderItem]` or quote it, `\'OrderItem[]\'`';
    }
    diagnostics.push({ ...diagnostic, file, severity: 'error', ...at(error.pos) });
  });
  for (const warning of doc.warnings) {
    // An unresolved tag (`!Ref`, `!!binary`) would silently become a string: refuse it.
    if (warning.code === 'TAG_RESOLVE_FAILED') {
      diagnostics.push({ ...unsupportedTag(warning.message), file, severity: 'error', ...at(warning.pos) });
    }
  }
  // A second document: parseDocument reports it as an error whose message mentions "document".
  if (diagnostics.length > 0) return fail();

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    diagnostics.push({ code: 'ESG007', severity: 'error', message: 'the file has no content (only comments or an empty document)', file, line: 1, column: 1, hint: 'start with `aggregate: Name`' });
    return fail();
  }
  if (!isMap(contents)) {
    const what = isScalar(contents) ? 'a single value' : 'a list';
    diagnostics.push({
      code: 'ESG106',
      severity: 'error',
      message: `the document is ${what}, but ${kind === 'spec' ? 'a spec file' : 'esgen.config.yaml'} must be a mapping`,
      file,
      ...locator.locate([]),
      hint: kind === 'spec' ? 'a spec starts with `aggregate: Name` followed by `types:`, `state:`, `events:` and `readModels:`' : 'write `key: value` lines such as `specs: domain/**/*.esgen.yaml`',
    });
    return fail();
  }

  // Keys must be plain scalars; `? [a, b]: x` or `{a: 1}: x` would be stringified silently.
  visit(doc, {
    Node(_, node) {
      // Explicit tags beyond JSON's (`!!binary`, `!!set`, `!!timestamp`) would produce values
      // that are not plain data.
      if (node.tag !== undefined && !plainTags.has(node.tag)) {
        const range = node.range ?? [0, 0, 0];
        diagnostics.push({ ...unsupportedTag(`tag ${node.tag.replace('tag:yaml.org,2002:', '!!')}`), file, severity: 'error', ...at([range[0], range[1]]) });
      }
    },
    Pair(_, pair) {
      if (isPair(pair) && pair.key !== null && !isScalar(pair.key)) {
        const range = (pair.key as { range?: [number, number, number] }).range ?? [0, 0, 0];
        diagnostics.push({ code: 'ESG108', severity: 'error', message: 'a mapping key must be a plain name, not a list or mapping', file, ...at([range[0], range[1]]) });
      } else if (isPair(pair) && isScalar(pair.key) && pair.key.value === '<<' && pair.key.range) {
        // YAML 1.2 has no merge keys; `<<` would silently become a field named "<<".
        diagnostics.push({
          code: 'ESG108',
          severity: 'error',
          message: 'merge keys (`<<`) are not supported',
          file,
          ...at([pair.key.range[0], pair.key.range[1]]),
          hint: 'write the entries out; a spec is small enough to read without indirection',
        });
      }
    },
  });
  if (diagnostics.length > 0) return fail();

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) {
      diagnostics.push({
        code: 'ESG104',
        severity: 'error',
        message: `aliases expand to too many nodes (limit ${maxAliasCount}); this looks like an alias bomb`,
        file,
        line: 1,
        column: 1,
        hint: 'write the values out instead of nesting aliases',
      });
    } else {
      diagnostics.push({ code: 'ESG101', severity: 'error', message: `the YAML cannot be converted to data: ${message}`, file, line: 1, column: 1 });
    }
    return fail();
  }
  return { file, value: value as Record<string, unknown>, locator, diagnostics };
}

function unsupportedTag(message: string): { code: DiagnosticCode; message: string; hint: string } {
  const tag = /tag:?\s*(\S+)/i.exec(message)?.[1] ?? 'tag';
  return { code: 'ESG105', message: `the YAML tag ${tag} is not supported`, hint: 'specs use plain YAML: remove the tag' };
}

/** Plain-English messages for the yaml package's error codes. */
function yamlErrorDiagnostic(code: string, raw: string): { code: DiagnosticCode; message: string; hint?: string | undefined } {
  switch (code) {
    case 'DUPLICATE_KEY':
      return { code: 'ESG102', message: 'this key appears twice in the same mapping', hint: 'remove or merge one of the two entries' };
    case 'TAB_AS_INDENT':
      return { code: 'ESG103', message: 'a tab is used for indentation; YAML requires spaces', hint: 'indent with spaces (2 per level)' };
    case 'MULTIPLE_DOCS':
      return { code: 'ESG107', message: 'the file contains more than one YAML document', hint: 'remove the `---` separator: one spec file describes one aggregate' };
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
      return { code: 'ESG101', message: `invalid alias: ${firstLine(raw)}` };
    case 'TAG_RESOLVE_FAILED':
      return unsupportedTag(raw);
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BAD_SCALAR_START':
    case 'BAD_DQ_ESCAPE':
    case 'KEY_OVER_1024_CHARS':
    case 'IMPOSSIBLE':
    case 'BAD_DIRECTIVE':
    case 'BAD_COLLECTION_TYPE':
    case 'NON_STRING_KEY':
    case 'UNEXPECTED_SCALAR_END':
    default:
      return { code: 'ESG101', message: `YAML syntax error: ${lowerFirst(firstLine(raw))}`, hint: code === 'BAD_INDENT' ? 'check the indentation of this line against its siblings' : undefined };
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/ at line \d+, column \d+:?$/, '').trim();
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
