/**
 * Prettier with the fixed configuration of generated code (never a prettierrc of the user's
 * project), so the same specs always give byte-identical files. Loaded on first use.
 */
import { createRequire } from 'node:module';
import type { Options } from 'prettier';

export const prettierOptions: Options = {
  // babel-ts prints the same as the typescript parser on generated code (the golden files and the
  // synthetic benchmark domain are byte-identical with either) and parses in about half the time:
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

let loaded: Promise<(text: string) => Promise<string>> | undefined;

export function formatTypeScript(text: string): Promise<string> {
  return loadFormatter().then((format) => format(text));
}

/** Loads prettier and its plugins (once); a worker calls it at start, before any text arrives. */
export function loadFormatter(): Promise<(text: string) => Promise<string>> {
  loaded ??= Promise.all([import('prettier/standalone'), import('prettier/plugins/babel'), import('prettier/plugins/estree')]).then(
    ([standalone, babel, estree]) =>
      (source: string) => standalone.format(source, { ...prettierOptions, plugins: [babel, estree as never] }),
  );
  return loaded;
}

/**
 * What formatted output depends on besides the text: the prettier version and the options. Part
 * of every file's input hash in the manifest, so upgrading prettier never reuses old formatting.
 */
export const formatterIdentity: string = (() => {
  const { version } = createRequire(import.meta.url)('prettier/package.json') as { version: string };
  return `prettier@${version} ${JSON.stringify(prettierOptions)}`;
})();
