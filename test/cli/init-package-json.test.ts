/** planPackageJson: what `esgen init` adds to a package.json, and what it keeps or refuses. */
import { describe, expect, it } from 'vitest';
import { initDevDependencies, initScripts, planPackageJson } from '../../generator/config/init-package-json.js';

const options = { projectName: 'My App!', esgenVersion: '1.2.3' };
const plan = (existing: unknown) => planPackageJson(typeof existing === 'string' ? existing : JSON.stringify(existing, null, 2), options);
const written = (existing: unknown) => {
  const result = plan(existing);
  if (!result.ok) throw new Error(result.problem);
  return { ...result.plan, pkg: result.plan.text === undefined ? undefined : (JSON.parse(result.plan.text) as Record<string, Record<string, string> & string>) };
};

describe('planPackageJson', () => {
  it('writes a new package.json: an npm name from the folder, ES modules, scripts, esgen and the tools', () => {
    const result = planPackageJson(undefined, options);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(JSON.parse(result.plan.text!)).toEqual({
      name: 'my-app',
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: initScripts,
      dependencies: { esgen: '^1.2.3' },
      devDependencies: initDevDependencies,
    });
    expect(result.plan.changes).toEqual([]);
  });

  it.each([
    ['no type', {}, 'set "type": "module"'],
    ['"commonjs"', { type: 'commonjs' }, 'changed "type" from "commonjs" to "module"'],
  ])('makes a package with %s an ES module package, and says so', (_name, existing, change) => {
    const { pkg, changes } = written(existing);
    expect(pkg!.type).toBe('module');
    expect(changes[0]).toContain(change);
  });

  it("replaces npm init's placeholder test script, and keeps a real one", () => {
    expect(written({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }).pkg!.scripts!.test).toBe(initScripts.test);
    const real = written({ type: 'module', scripts: { test: 'vitest run' } });
    expect(real.pkg!.scripts!.test).toBe('vitest run');
    expect(real.kept).toContain('kept your script test: vitest run');
  });

  it('counts a package as present in either dependency section: esgen as a dev dependency is kept there', () => {
    const { pkg, kept } = written({ type: 'module', devDependencies: { esgen: 'file:../esgen.tgz' } });
    expect(pkg!.dependencies).toBeUndefined();
    expect(pkg!.devDependencies!.esgen).toBe('file:../esgen.tgz');
    expect(kept).toContain('kept your version of esgen: file:../esgen.tgz');
  });

  it('changes nothing in a package that has it all', () => {
    const complete = { type: 'module', scripts: initScripts, dependencies: { esgen: '^1.2.3' }, devDependencies: initDevDependencies };
    expect(written(complete)).toMatchObject({ text: undefined, changes: [], kept: [] });
  });

  it('keeps the indentation of the file', () => {
    const result = planPackageJson('{\n\t"name": "tabs"\n}\n', options);
    expect(result.ok && result.plan.text?.startsWith('{\n\t"name": "tabs",\n\t"type": "module",')).toBe(true);
  });

  it.each([
    ['not JSON', '{ name: x }', 'package.json is not valid JSON'],
    ['an array', '[]', 'does not hold a JSON object'],
    ['another type', { type: 'umd' }, 'package.json has "type": "umd"'],
    ['scripts that are not an object', { scripts: 'build' }, '"scripts" is not an object'],
  ])('refuses a package.json that is %s', (_name, existing, problem) => {
    const result = plan(existing);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });
});
