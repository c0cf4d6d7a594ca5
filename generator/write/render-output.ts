/**
 * Turns emitted files into final file contents: prettier-formatted, banner first, plus the
 * manifest. Apart from formatting, nothing here touches the disk.
 */
import { createHash } from 'node:crypto';
import type { EmittedFile, ScaffoldFile } from '../emit/emit-context.js';
import { bannerFor } from './banner.js';
import type { SourceFormatter } from './format-source.js';
import { contentHash, type ManifestEntry, manifestFileName, manifestText } from './manifest.js';
import { formatterIdentity } from './prettier-format.js';

export interface RenderedOutput {
  /** Output-relative path → content, manifest included, sorted by path. */
  readonly generated: ReadonlyMap<string, string>;
  /** User-owned files to create when missing (source-relative paths), formatted. */
  readonly scaffolds: readonly ScaffoldFile[];
}

/**
 * What a build session remembers between renders, by emitted file (emitted files of unchanged
 * aggregates are the same objects from build to build): final text, input and content hashes.
 */
export interface RenderCache {
  readonly finalText: WeakMap<EmittedFile | ScaffoldFile, string>;
  readonly entries: WeakMap<EmittedFile, ManifestEntry>;
  readonly inputs: WeakMap<EmittedFile, string>;
}

export function createRenderCache(): RenderCache {
  return { finalText: new WeakMap(), entries: new WeakMap(), inputs: new WeakMap() };
}

/** sha256 of everything a generated file's content is made of: formatter, banner, unformatted text. */
export function inputHash(file: EmittedFile, cache: RenderCache): string {
  let hash = cache.inputs.get(file);
  if (hash === undefined) {
    hash = createHash('sha256').update(formatterIdentity).update('\0').update(file.spec).update('\0').update(file.text).digest('hex');
    cache.inputs.set(file, hash);
  }
  return hash;
}

export async function renderOutput(
  files: readonly EmittedFile[],
  scaffolds: readonly ScaffoldFile[],
  formatter: SourceFormatter,
  cache: RenderCache = createRenderCache(),
): Promise<RenderedOutput> {
  const finalText = async (file: EmittedFile): Promise<string> => {
    let text = cache.finalText.get(file);
    if (text === undefined) {
      text = `${bannerFor(file.spec)}${await formatter.format(file.text)}`;
      cache.finalText.set(file, text);
    }
    return text;
  };
  const rendered = await Promise.all(files.map(async (file) => ({ file, text: await finalText(file) })));
  rendered.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  const generated = new Map(rendered.map(({ file, text }) => [file.path, text]));
  if (generated.size !== files.length) throw new Error('esgen internal error: two emitters produced the same file');
  const entries = new Map(
    rendered.map(({ file, text }) => {
      let entry = cache.entries.get(file);
      if (entry === undefined) {
        entry = { sha256: contentHash(text), input: inputHash(file, cache) };
        cache.entries.set(file, entry);
      }
      return [file.path, entry];
    }),
  );
  generated.set(manifestFileName, manifestText(entries));
  const formattedScaffolds = await Promise.all(
    scaffolds.map(async (scaffold) => {
      let text = cache.finalText.get(scaffold);
      if (text === undefined) {
        text = await formatter.format(scaffold.text);
        cache.finalText.set(scaffold, text);
      }
      return { ...scaffold, text };
    }),
  );
  return { generated, scaffolds: formattedScaffolds };
}
