import type { Command } from 'commander';

/** `esgen build`: validate the specs and write the generated code (nothing is written when a spec is invalid). */
export function register(program: Command): void {
  program
    .command('build')
    .description('validate the specs and generate TypeScript into the output folder')
    .option('-c, --config <path>', 'path of esgen.config.yaml', 'esgen.config.yaml')
    .option('--verbose', 'list every file, kept user files included')
    .action(async (flags: { config: string; verbose?: boolean }) => {
      const { buildProject, formatDiagnostics, formatWriteSummary } = await import('../../generator/index.js');
      const cwd = process.cwd();
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      const result = await buildProject({ cwd, configPath: flags.config, env: process.env });
      if (result.diagnostics.length > 0) process.stderr.write(formatDiagnostics(result.diagnostics, { color, sources: result.sources }));
      if (!result.ok) {
        process.stderr.write('esgen build: nothing was written because the specs are invalid.\n');
        process.exitCode = 1;
        return;
      }
      process.stdout.write(formatWriteSummary(result.summary, result.durationMs, { color, cwd, verbose: flags.verbose ?? false }));
    });
}
