import type { Command } from 'commander';
import { addProjectOptions, diagnosticsForDisplay, resolveCliContext, type ProjectFlags } from '../context.js';

interface DocsFlags extends ProjectFlags {
  readonly out?: string;
  readonly check?: boolean;
}

/**
 * `esgen docs`: the domain catalogue (Markdown + Mermaid) from the specs. Exit 0 written or up to
 * date, 1 invalid specs or an unwritable folder, 2 with --check when the pages are out of date.
 */
export function register(program: Command): void {
  addProjectOptions(
    program
      .command('docs')
      .description('write the domain catalogue: Markdown pages with Mermaid diagrams of aggregates, events, versions and read models')
      .option('-o, --out <dir>', 'folder of the pages, relative to the config file (default: docs/domain)')
      .option('--check', 'write nothing; exit 2 when the pages are out of date (for CI)'),
  ).action(async (flags: DocsFlags) => {
    const context = resolveCliContext(flags);
    const { resolve, relative } = await import('node:path');
    const { loadProject, formatDiagnostics } = await import('../../generator/index.js');
    const { renderCatalogue } = await import('../../generator/docs/render-catalogue.js');
    const { writeCatalogue } = await import('../../generator/docs/write-catalogue.js');
    const loaded = await loadProject({ cwd: context.cwd, configPath: context.configPath, env: context.env });
    if (loaded.diagnostics.length > 0) {
      const shown = diagnosticsForDisplay(context, loaded.diagnostics, loaded.sources);
      process.stderr.write(formatDiagnostics(shown.diagnostics, { color: context.color.stderr, sources: shown.sources }));
    }
    if (!loaded.ok) {
      process.exitCode = 1;
      return;
    }
    const outDir = resolve(loaded.config.root, flags.out ?? 'docs/domain');
    const shownDir = relative(context.cwd, outDir) || '.';
    try {
      const result = await writeCatalogue(outDir, renderCatalogue(loaded.ir), { check: flags.check ?? false });
      const changed = [...result.written.map((path) => `  ${flags.check ? 'stale  ' : 'wrote  '} ${shownDir}/${path}`), ...result.removed.map((path) => `  ${flags.check ? 'extra  ' : 'removed'} ${shownDir}/${path}`)];
      if (flags.check && changed.length > 0) {
        process.stdout.write(`esgen docs: the catalogue in ${shownDir} is out of date; run \`esgen docs\` and commit the result.\n${changed.join('\n')}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(
        `${changed.map((line) => `${line}\n`).join('')}esgen docs: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed (pages in ${shownDir})\n`,
      );
    } catch (caught) {
      console.error(`esgen: ${caught instanceof Error ? caught.message : String(caught)}`);
      process.exitCode = 1;
    }
  });
}
