/**
 * `esgen docs`: the committed catalogue of every example is what the specs render to (`vitest -u`
 * rewrites it after a deliberate change), and every Mermaid block in it parses with Mermaid itself.
 */
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCatalogue } from '../../generator/docs/render-catalogue.js';
import { mermaidBlocksOf } from '../../generator/docs/mermaid.js';
import { loadDomainFromSources } from '../../generator/index.js';
import { loadProject } from '../../generator/load/load-project.js';
import { goldenProjects } from '../codegen/codegen-support.js';

type Mermaid = { parse(text: string): Promise<unknown> };
let mermaid: Mermaid;

beforeAll(async () => {
  // Mermaid's parser runs DOMPurify at import time: give it a DOM, as a browser would.
  const { window } = new JSDOM('');
  Object.assign(globalThis, { window, document: window.document });
  mermaid = ((await import('mermaid')) as unknown as { default: Mermaid }).default;
});

async function expectMermaidParses(pages: ReadonlyMap<string, string>): Promise<number> {
  let blocks = 0;
  for (const [path, text] of pages) {
    for (const block of mermaidBlocksOf(text)) {
      blocks += 1;
      await expect(mermaid.parse(block), `${path}:\n${block}`).resolves.toBeTruthy();
    }
  }
  return blocks;
}

describe('the domain catalogue', () => {
  for (const project of goldenProjects()) {
    it(`of ${project.name} is committed as rendered, and its Mermaid parses`, async () => {
      const loaded = await loadProject({ cwd: project.dir });
      if (!loaded.ok) throw new Error(`${project.name} does not load`);
      const pages = renderCatalogue(loaded.ir);
      for (const [path, text] of pages) await expect(text).toMatchFileSnapshot(join(project.dir, 'docs/domain', path));
      expect(await expectMermaidParses(pages)).toBeGreaterThanOrEqual(2 + loaded.ir.aggregates.length);
    });
  }

  it('is byte-identical across runs', async () => {
    const project = goldenProjects()[0]!;
    const loaded = await loadProject({ cwd: project.dir });
    if (!loaded.ok) throw new Error('does not load');
    expect([...renderCatalogue(loaded.ir)]).toEqual([...renderCatalogue(loaded.ir)]);
  });

  it('keeps Mermaid valid and tables intact whatever the descriptions and upcast values hold', async () => {
    const spec = [
      'aggregate: Weird',
      "description: 'pipes | and <b>tags</b> # and \"quotes\"'",
      'types:',
      '  Kind: { enum: [a, b] }',
      'state: { n: { type: integer, default: 0, description: "a | b" } }',
      'events:',
      '  Happened:',
      '    version: 3',
      '    fields: { note: string, kind: Kind }',
      '    history:',
      "      1: { fields: { text: string }, upcast: { rename: { text: note }, add: { kind: a, extra: 'x|y \"z\" #1 <i> ]} end' } } }",
      '      2: { fields: { note: string, kind: Kind, extra: string }, upcast: { remove: [extra] } }',
      '    apply: { n: 1 }',
      'readModels:',
      '  WeirdList:',
      '    projection: weird_list',
      '    fields:',
      '      note: { type: string, from: Happened.note, description: "has | pipe" }',
    ].join('\n');
    const loaded = await loadDomainFromSources(new Map([['domain/weird.esgen.yaml', `${spec}\n`]]));
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (!loaded.ok) return;
    const pages = renderCatalogue(loaded.ir);
    expect(await expectMermaidParses(pages)).toBe(3);
    const event = pages.get('events/happened.md')!;
    expect(event).toContain('Upcast to version 2: rename text to note, add kind = "a", add extra = "x|y \\"z\\" #1 <i> ]} end".');
    const aggregate = pages.get('weird.md')!;
    // A pipe in a description must not split the table row.
    expect(aggregate).toContain('| `n` | integer | yes | `0` | a \\| b |');
    expect(aggregate).toContain('| `note` | string | Happened: set `event.note` |  |  |');
  });
});
