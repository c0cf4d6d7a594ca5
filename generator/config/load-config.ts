import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { decodeSpecBytes, parseSpecText } from '../load/parse-spec-text.js';
import { checkAgainstSchema } from '../validate/schema-check.js';
import { configDefaults, configFileName, type PublisherConfig, type ResolvedConfig } from './types.js';

export type ConfigResult =
  | { readonly ok: true; readonly config: ResolvedConfig; readonly text: string; readonly displayPath: string }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly text?: string; readonly displayPath: string };

interface RawConfig {
  specs?: string | string[];
  output?: string;
  source?: string;
  runtimeImport?: string;
  database?: { url?: string; dataDir?: string; schema?: string };
  publishers?: Record<string, PublisherConfig>;
}

/**
 * Reads and checks esgen.config.yaml (`configPath`, else `<cwd>/esgen.config.yaml`) and fills in
 * every default. `env` supplies DATABASE_URL; nothing here reads process.env.
 */
export async function loadConfig(options: { cwd: string; configPath?: string; env?: Readonly<Record<string, string | undefined>> }): Promise<ConfigResult> {
  const configFile = resolve(options.cwd, options.configPath ?? configFileName);
  const root = dirname(configFile);
  const displayPath = relative(root, configFile).split('\\').join('/');
  const fail = (diagnostic: Omit<Diagnostic, 'file' | 'severity'>, text?: string): ConfigResult => ({
    ok: false,
    diagnostics: [{ severity: 'error', file: displayPath, ...diagnostic }],
    ...(text !== undefined ? { text } : {}),
    displayPath,
  });

  let bytes: Uint8Array;
  try {
    bytes = await readFile(configFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return fail({
        code: 'ESG001',
        message: `no configuration file at ${configFile}`,
        line: 1,
        column: 1,
        hint: 'create one with `esgen init`, or point --config at an existing esgen.config.yaml',
      });
    }
    return fail({ code: 'ESG004', message: `cannot read ${configFile}: ${code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`, line: 1, column: 1 });
  }
  const decoded = decodeSpecBytes(displayPath, bytes);
  if ('diagnostic' in decoded) return { ok: false, diagnostics: [decoded.diagnostic], displayPath };
  const text = decoded.text;

  let raw: RawConfig = {};
  if (text.replace(/^\uFEFF/, '').replace(/#.*$/gm, '').trim() !== '') {
    const parsed = parseSpecText(displayPath, text, 'config');
    if (parsed.value && 'aggregate' in parsed.value) {
      return fail({ code: 'ESG002', message: 'this is a spec file, not an esgen.config.yaml', line: 1, column: 1, hint: 'pass the project\'s esgen.config.yaml to --config; it lists spec files under `specs:`' }, text);
    }
    const problems = [...parsed.diagnostics];
    if (parsed.value && parsed.locator) problems.push(...checkAgainstSchema('esgen.config.schema.json', parsed.value, displayPath, parsed.locator));
    if (problems.length > 0) {
      // Structure problems of the config share one code: the config is small and the message says what is wrong.
      return { ok: false, diagnostics: problems.map((d) => (d.code.startsWith('ESG11') ? { ...d, code: 'ESG002' } : d)), text, displayPath };
    }
    raw = (parsed.value ?? {}) as RawConfig;
  }

  const url = raw.database?.url ?? options.env?.DATABASE_URL;
  const config: ResolvedConfig = {
    root,
    configFile,
    specs: raw.specs === undefined ? [...configDefaults.specs] : Array.isArray(raw.specs) ? raw.specs : [raw.specs],
    output: resolve(root, raw.output ?? configDefaults.output),
    source: resolve(root, raw.source ?? configDefaults.source),
    runtimeImport: raw.runtimeImport ?? configDefaults.runtimeImport,
    database: {
      ...(url ? { url } : {}),
      dataDir: resolve(root, raw.database?.dataDir ?? configDefaults.dataDir),
      ...(raw.database?.schema ? { schema: raw.database.schema } : {}),
    },
    publishers: raw.publishers ?? {},
  };
  return { ok: true, config, text, displayPath };
}
