/**
 * Prettier with the fixed configuration of generated code (never a prettierrc of the user's
 * project), so the same specs always give byte-identical files. Loaded on first use.
 */
import { createRequire } from 'node:module';
import type { Options } from 'prettier';

export const prettierOptions: Options = {
  parser: 'typescript',
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
  loaded ??= Promise.all([import('prettier/standalone'), import('prettier/plugins/typescript'), import('prettier/plugins/estree')]).then(
    ([standalone, typescript, estree]) =>
      (source: string) => standalone.format(source, { ...prettierOptions, plugins: [typescript, estree as never] }),
  );
  return loaded.then((format) => format(text));
}

/**
 * What formatted output depends on besides the text: the prettier version and the options. Part
 * of every file's input hash in the manifest, so upgrading prettier never reuses old formatting.
 */
export const formatterIdentity: string = (() => {
  const { version } = createRequire(import.meta.url)('prettier/package.json') as { version: string };
  return `prettier@${version} ${JSON.stringify(prettierOptions)}`;
})();
