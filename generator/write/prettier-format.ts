/**
 * Prettier with the fixed configuration of generated code (never a prettierrc of the user's
 * project), so the same specs always give byte-identical files. Loaded on first use.
 */
import { createRequire } from 'node:module';
import type { Options } from 'prettier';

export const prettierOptions: Options = {
  // The reference parser (loadFormatter parses with oxc where it can, to the same bytes). babel-ts
  // prints the same as the typescript parser on generated code and parses in about half the time:
  // typescript-estree runs TypeScript's own parser and then converts its tree to ESTree.
  parser: 'babel-ts',
  printWidth: 120,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  endOfLine: 'lf',
  // A .ts path: prettier then skips probing the text for JSX.
  filepath: 'generated.ts',
  embeddedLanguageFormatting: 'off',
};

type Format = (text: string) => Promise<string>;

let loaded: Promise<Format> | undefined;

export function formatTypeScript(text: string): Promise<string> {
  return loadFormatter().then((format) => format(text));
}

/**
 * Loads prettier and its plugins (once); a worker calls it at start, before any text arrives.
 * Parsing goes through oxc (@prettier/plugin-oxc, a native parser: a cold build formats 6% faster
 * than with babel-ts, for 8% less CPU) and falls back to babel-ts, the reference parser, where
 * the oxc binding cannot load or oxc refuses a text. Both print through prettier's estree printer
 * and give the same bytes on generated code (test/codegen/format-parsers.test.ts holds them to
 * it), so where a build ran never shows in its output.
 */
export function loadFormatter(): Promise<Format> {
  loaded ??= Promise.all([loadOxcFormatter(), loadReferenceFormatter()]).then(([oxc, reference]) =>
    oxc ? (source: string) => oxc(source).catch(() => reference(source)) : reference,
  );
  return loaded;
}

/** Formats with babel-ts only, the parser prettierOptions name. */
export function loadReferenceFormatter(): Promise<Format> {
  return Promise.all([import('prettier/standalone'), import('prettier/plugins/estree')]).then(([standalone, estree]) => referenceFormatter(standalone, estree));
}

/** Formats with oxc only; undefined when its native binding does not load on this machine. */
export function loadOxcFormatter(): Promise<Format | undefined> {
  const plugin = import('@prettier/plugin-oxc').then(
    (oxc) => oxc as import('prettier').Plugin,
    () => undefined,
  );
  return Promise.all([import('prettier/standalone'), import('prettier/plugins/estree'), plugin]).then(([standalone, estree, oxc]) =>
    oxc ? (source: string) => standalone.format(source, { ...prettierOptions, parser: 'oxc-ts', plugins: [oxc, estree as never] }) : undefined,
  );
}

function referenceFormatter(standalone: typeof import('prettier/standalone'), estree: unknown): Format {
  // babel loads on first use: with oxc in place it is only the fallback.
  let babel: Promise<unknown> | undefined;
  return async (source) => {
    babel ??= import('prettier/plugins/babel');
    return standalone.format(source, { ...prettierOptions, plugins: [(await babel) as never, estree as never] });
  };
}

/**
 * What formatted output depends on besides the text: the prettier version and the options. Part
 * of every file's input hash in the manifest, so upgrading prettier never reuses old formatting.
 */
export const formatterIdentity: string = (() => {
  const { version } = createRequire(import.meta.url)('prettier/package.json') as { version: string };
  return `prettier@${version} ${JSON.stringify(prettierOptions)}`;
})();
