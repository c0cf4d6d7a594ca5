/**
 * The README's runtime snippet is the first code a team copies: it must compile against the
 * generated orders code, and keep its PGlite data in the folder the esgen CLI uses
 * (`.esgen/pgdata`), so `esgen projections status` looks at the application's events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const snippet = /## The runtime\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

describe('the README runtime snippet', () => {
  it('opens embedded PGlite in the data folder the CLI defaults to', () => {
    expect(snippet).toContain('createEventSourcing(');
    const options = /createEventSourcing\(\{([^}]*)\}\)/.exec(snippet)?.[1] ?? '';
    expect(options).toContain("dataDir: '.esgen/pgdata'");
    expect(readme).toContain('else embedded PGlite in `database.dataDir` (`.esgen/pgdata`)');
  });

  it('type-checks against the generated code of examples/orders', () => {
    // The snippet lives next to generated/ in a project's src folder; `items` is the one free name.
    const file = join(root, 'examples/orders/src/readme-snippet.ts');
    const text = `declare const items: { sku: string; quantity: number; unitPrice: number }[];\n${snippet}`;
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      baseUrl: root,
      paths: { 'esgen/runtime': ['runtime/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram([file], options, host);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName === file)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(errors).toEqual([]);
  });
});
