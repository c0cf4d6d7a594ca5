/**
 * What `esgen init` puts into the project's package.json: ES modules, the npm scripts, and the
 * packages the scaffolded project needs. The one file init edits instead of creating: keys the
 * user already has are kept as they are (and reported), everything else in the file is untouched.
 */

/** The npm scripts init adds, in the order they are written. */
export const initScripts: Readonly<Record<string, string>> = {
  'esgen:build': 'esgen build',
  'esgen:check': 'esgen check',
  'esgen:watch': 'esgen watch',
  // tsx reruns main.ts whenever a file it imports changes, generated code included; specs are
  // rebuilt by `npm run esgen:watch` in a second terminal.
  dev: 'esgen build && tsx watch src/main.ts',
  start: 'tsx src/main.ts',
  typecheck: 'tsc --noEmit',
  // Node's own test runner through tsx: no test framework to install. The shell expands the glob
  // (Node 20 does not expand globs in --test arguments itself).
  test: 'tsx --test test/*.test.ts',
};

/** The `test` script `npm init -y` writes: a placeholder, not a decision of the user's. */
const npmInitTestPlaceholder = 'echo "Error: no test specified" && exit 1';

/**
 * Development tools of the scaffolded project. TypeScript is the version `npm install typescript`
 * gives today; tsconfig.json is written to work with 5.x too. @types/node follows esgen's oldest
 * supported Node (engines: >=20).
 */
export const initDevDependencies: Readonly<Record<string, string>> = {
  '@types/node': '^20.19.0',
  tsx: '^4.23.15',
  typescript: '^7.0.2',
};

export interface PackageJsonPlan {
  /** The file to write, or undefined when nothing changes. */
  readonly text: string | undefined;
  /** What init added or changed, one line each (for the report). */
  readonly changes: readonly string[];
  /** What init left alone because the user already has it, one line each. */
  readonly kept: readonly string[];
}

export type PackageJsonResult = { readonly ok: true; readonly plan: PackageJsonPlan } | { readonly ok: false; readonly problem: string };

type Json = Record<string, unknown>;

/**
 * Plans package.json for a project: a new file when there is none (`existing` undefined), else the
 * existing one with what is missing added. `esgenVersion` is the running esgen's version; esgen
 * is a dependency (not a dev dependency) because the application imports `esgen/runtime`.
 *
 * `"type": "commonjs"` is switched to `"module"`: the generated code and src/main.ts are ES
 * modules (`.js` import endings, top-level await), and `npm init -y` writes "commonjs" on its own,
 * so in a fresh project it is nobody's decision. The change is reported with what it means for
 * existing `.js` files.
 */
export function planPackageJson(existing: string | undefined, options: { readonly projectName: string; readonly esgenVersion: string }): PackageJsonResult {
  const changes: string[] = [];
  const kept: string[] = [];
  let pkg: Json;
  let indent: string | number = 2;
  if (existing === undefined) {
    pkg = { name: npmName(options.projectName), version: '0.1.0', private: true };
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      return { ok: false, problem: `package.json is not valid JSON (${(error as Error).message}); fix it and run esgen init again` };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, problem: 'package.json does not hold a JSON object; fix it and run esgen init again' };
    }
    pkg = parsed as Json;
    indent = /^\{\s*\n([ \t]+)"/.exec(existing)?.[1] ?? 2;
  }

  if (pkg.type === undefined) {
    pkg.type = 'module';
    // No type means CommonJS to Node: the same consequences as switching from "commonjs".
    if (existing !== undefined) changes.push('set "type": "module": the generated code and src/main.ts are ES modules; rename any .js file of yours that uses require() to .cjs');
  } else if (pkg.type === 'commonjs') {
    pkg.type = 'module';
    changes.push('changed "type" from "commonjs" to "module": the generated code and src/main.ts are ES modules; rename any .js file of yours that uses require() to .cjs');
  } else if (pkg.type !== 'module') {
    return { ok: false, problem: `package.json has "type": ${JSON.stringify(pkg.type)}; esgen needs "module" (or no type, which init sets to "module")` };
  }

  for (const [section, wanted] of [
    ['scripts', initScripts],
    ['dependencies', { esgen: `^${options.esgenVersion}` }],
    ['devDependencies', initDevDependencies],
  ] as const) {
    const current = objectAt(pkg, section);
    if (current === undefined) return { ok: false, problem: `package.json: "${section}" is not an object; fix it and run esgen init again` };
    for (const [name, value] of Object.entries(wanted)) {
      const has = section === 'scripts' ? current[name] : (current[name] ?? objectAt(pkg, section === 'dependencies' ? 'devDependencies' : 'dependencies')?.[name]);
      if (section === 'scripts' && name === 'test' && has === npmInitTestPlaceholder) {
        current[name] = value;
        changes.push(`replaced the placeholder test script of npm init: ${value}`);
      } else if (has === undefined) {
        current[name] = value;
        if (existing !== undefined) changes.push(`added ${section === 'scripts' ? 'script' : section === 'dependencies' ? 'dependency' : 'dev dependency'} ${name}: ${value}`);
      } else if (has !== value) {
        kept.push(`kept your ${section === 'scripts' ? 'script' : 'version of'} ${name}: ${String(has)}`);
      }
    }
    if (Object.keys(current).length > 0) pkg[section] = current;
  }

  if (existing !== undefined && changes.length === 0) return { ok: true, plan: { text: undefined, changes, kept } };
  return { ok: true, plan: { text: `${JSON.stringify(pkg, null, indent)}\n`, changes, kept } };
}

/** The object at `pkg[key]`, created (not yet attached) when absent; undefined when it is something else. */
function objectAt(pkg: Json, key: string): Record<string, unknown> | undefined {
  const value = pkg[key];
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/** A folder name as an npm package name: lower case, URL-safe characters only. */
function npmName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'esgen-app' : name;
}
