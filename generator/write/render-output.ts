/**
 * Turns emitted files into final file contents: prettier-formatted, banner first, plus the
 * manifest. Apart from formatting, nothing here touches the disk.
 */
import { InternalError } from '../../runtime/errors.js';
import { createHash } from 'node:crypto';
import type { EmittedFile, ScaffoldFile } from '../emit/emit-context.js';
import { bannerFor } from './banner.js';
import type { SourceFormatter } from './format-source.js';
import { contentHash, type ManifestEntry, manifestFileName, manifestText } from './manifest.js';
import { formatterIdentity } from './prettier-format.js';

export interface RenderedOutput {
  /** Output-relative path → content, manifest included, sorted by path. */
  readonly generated: ReadonlyMap<string, string>;
  /** User-owned files to create when missing (source-relative paths). */
  readonly scaffolds: readonly RenderedScaffold[];
}

/**
 * A user-owned file to create when missing. Its formatted text is made on demand: most builds
 * find the file there already, and formatting it would be wasted.
 */
export interface RenderedScaffold {
  readonly path: string;
  readonly requiredExports: readonly string[];
  formattedText(): Promise<string>;
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

/**
 * Generated files whose formatting is still under way: the paths are known at once, each text
 * when it is formatted. A build writes each file as soon as its text is ready (the disk work of a
 * cold build then overlaps with formatting); the manifest comes last, with `done`.
 */
export interface OutputInProgress {
  /** Output-relative paths of every generated file, manifest included, sorted. */
  readonly paths: readonly string[];
  /** The final text of a generated file (the manifest's only once every other text is done). */
  text(path: string): Promise<string>;
  /** The final text when it is ready already, for comparisons that need no waiting. */
  settledText(path: string): string | undefined;
  readonly scaffolds: readonly RenderedScaffold[];
  readonly done: Promise<RenderedOutput>;
}

export function startRender(
  files: readonly EmittedFile[],
  scaffolds: readonly ScaffoldFile[],
  formatter: SourceFormatter,
  cache: RenderCache = createRenderCache(),
): OutputInProgress {
  const byPath = new Map(files.map((file) => [file.path, file]));
  if (byPath.size !== files.length) throw new InternalError('two emitters produced the same file');
  const texts = new Map<string, Promise<string>>();
  for (const file of files) {
    const ready = cache.finalText.get(file);
    texts.set(
      file.path,
      ready !== undefined
        ? Promise.resolve(ready)
        : formatter.format(file.text).then((formatted) => {
            const text = `${bannerFor(file.spec)}${formatted}`;
            cache.finalText.set(file, text);
            return text;
          }),
    );
  }
  const renderedScaffolds = scaffolds.map(
    (scaffold): RenderedScaffold => ({
      path: scaffold.path,
      requiredExports: scaffold.requiredExports,
      async formattedText() {
        let text = cache.finalText.get(scaffold);
        if (text === undefined) {
          text = await formatter.format(scaffold.text);
          cache.finalText.set(scaffold, text);
        }
        return text;
      },
    }),
  );
  const done = Promise.all(texts.values()).then(() => {
    const sorted = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const generated = new Map(sorted.map((file) => [file.path, cache.finalText.get(file)!]));
    const entries = new Map(
      sorted.map((file) => {
        let entry = cache.entries.get(file);
        if (entry === undefined) {
          entry = { sha256: contentHash(generated.get(file.path)!), input: inputHash(file, cache) };
          cache.entries.set(file, entry);
        }
        return [file.path, entry];
      }),
    );
    generated.set(manifestFileName, manifestText(entries));
    return { generated, scaffolds: renderedScaffolds };
  });
  // Nobody may be waiting on `done` yet: a failed format is reported by whoever awaits it.
  done.catch(() => undefined);
  return {
    paths: [...byPath.keys(), manifestFileName].sort(),
    text: (path) => (path === manifestFileName ? done.then((output) => output.generated.get(manifestFileName)!) : texts.get(path)!),
    settledText(path) {
      const file = byPath.get(path);
      return file ? cache.finalText.get(file) : undefined;
    },
    scaffolds: renderedScaffolds,
    done,
  };
}
