import type { Command } from 'commander';
import { relative } from 'node:path';
import { addProjectOptions, diagnosticsForDisplay, resolveCliContext, type ProjectFlags } from '../context.js';

interface BuildFlags extends ProjectFlags {
  readonly verbose?: boolean;
}

/** `esgen build`: validate the specs and write the generated code (nothing is written when a spec is invalid). */
export function register(program: Command): void {
  addProjectOptions(
    program
      .command('build')
      .description('validate the specs and generate TypeScript into the output folder')
      .option('--verbose', 'list every file, kept user files included'),
  ).action(async (flags: BuildFlags) => {
    const context = resolveCliContext(flags);
    const { buildProject, formatDiagnostics, formatWriteSummary } = await import('../../generator/index.js');
    const result = await buildProject({ cwd: context.cwd, configPath: context.configPath, env: context.env });
    if (result.diagnostics.length > 0) {
      const shown = diagnosticsForDisplay(context, result.diagnostics, result.sources);
      process.stderr.write(formatDiagnostics(shown.diagnostics, { color: context.color.stderr, sources: shown.sources }));
    }
    if (!result.ok) {
      process.stderr.write('esgen build: nothing was written; fix the problems above and build again.\n');
      process.exitCode = 1;
      return;
    }
    if (result.lock.written) {
      const lockFile = relative(context.cwd, result.lock.path) || result.lock.path;
      process.stdout.write(result.lock.added.length > 0 ? `  locked  ${result.lock.added.join(', ')} (${lockFile})\n` : `  updated ${lockFile} (read models and states)\n`);
    }
    process.stdout.write(formatWriteSummary(result.summary, result.durationMs, { color: context.color.stdout, cwd: context.cwd, verbose: flags.verbose ?? false }));
  });
}
