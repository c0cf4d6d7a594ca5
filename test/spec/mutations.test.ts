/**
 * Robustness: thousands of mutations of the example specs (lines dropped, duplicated, values
 * replaced by hostile ones). Loading must never throw, and every diagnostic must point at a real
 * line of the file it names.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const specs = readdirSync(examples, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.esgen.yaml'))
  .map((file) => {
    const text = readFileSync(join(examples, file), 'utf8');
    return { file, text, readModelsOnly: !/^aggregate:/m.test(text) };
  });

const replacements = ['', '~', '[]', '{}', '-1', '"$"', 'event.', 'map<', '[[x]]', '{ const: { a: 1 } }', '*a', '!Tag x'];

function* mutations(text: string): Generator<string> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    yield [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
    yield [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)].join('\n');
    const colon = lines[i]!.indexOf(': ');
    if (colon > 0) {
      for (const replacement of replacements) {
        yield [...lines.slice(0, i), `${lines[i]!.slice(0, colon + 2)}${replacement}`, ...lines.slice(i + 1)].join('\n');
      }
    }
  }
}

describe('loading mutated specs', () => {
  it.each(specs.map((s) => [s.file, s] as const))('%s: never throws, every diagnostic is located in the file', (_name, spec) => {
    let count = 0;
    let failing = 0;
    // A read-model file names events of its example's aggregates: it is loaded with them (unchanged).
    const siblings = spec.readModelsOnly ? specs.filter((other) => other !== spec && dirname(other.file) === dirname(spec.file)) : [];
    for (const text of mutations(spec.text)) {
      count++;
      const sources = new Map([['spec.esgen.yaml', text], ...siblings.map((other) => [other.file, other.text] as const)]);
      const result = loadDomainFromSources(sources);
      if (!result.ok) failing++;
      for (const d of result.diagnostics) {
        expect(sources.has(d.file), d.file).toBe(true);
        const lineCount = sources.get(d.file)!.split('\n').length;
        expect(d.line, `${d.code} ${d.message}\n${text}`).toBeGreaterThanOrEqual(1);
        expect(d.line, `${d.code} ${d.message}\n${text}`).toBeLessThanOrEqual(lineCount);
        expect(d.column).toBeGreaterThanOrEqual(1);
        expect(d.message.length).toBeGreaterThan(10);
      }
    }
    // 14 mutations per `key: value` line: the small specs (a customer, a read-model file) have ~150.
    expect(count).toBeGreaterThan(100);
    // Most mutations break something: a check that never fires would show up here.
    expect(failing / count).toBeGreaterThan(0.5);
  }, 180_000); // ~1,400 loads per spec: ten seconds of CPU, much more on a shared machine
});
