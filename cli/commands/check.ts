import type { Command } from 'commander';
import { addProjectOptions, diagnosticsForDisplay, resolveCliContext, type ProjectFlags } from '../context.js';

/** `esgen check`: regenerate in memory and compare with the disk. Exit 0 up to date, 2 drift, 1 invalid specs. */
export function register(program: Command): void {
  addProjectOptions(
    program.command('check').description('verify the generated code is up to date with the specs (exit 2 when not); for CI'),
  ).action(async (flags: ProjectFlags) => {
    const context = resolveCliContext(flags);
    const { checkProject, formatDiagnostics, formatDrift, hasDrift } = await import('../../generator/index.js');
    const result = await checkProject({ cwd: context.cwd, configPath: context.configPath, env: context.env });
    if (result.diagnostics.length > 0) {
      const shown = diagnosticsForDisplay(context, result.diagnostics, result.sources);
      process.stderr.write(formatDiagnostics(shown.diagnostics, { color: context.color.stderr, sources: shown.sources }));
    }
    if (!result.ok) {
      process.exitCode = 1;
      return;
    }
    if (hasDrift(result.drift)) {
      process.stdout.write(formatDrift(result.drift, { color: context.color.stdout, cwd: context.cwd }));
      process.exitCode = 2;
      return;
    }
    process.stdout.write(`esgen check: generated code is up to date (${Math.round(result.durationMs)} ms)\n`);
  });
}
