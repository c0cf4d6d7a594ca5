import type { Command } from 'commander';

/** `esgen check`: regenerate in memory and compare with the disk. Exit 0 up to date, 2 drift, 1 invalid specs. */
export function register(program: Command): void {
  program
    .command('check')
    .description('verify the generated code is up to date with the specs (exit 2 when not); for CI')
    .option('-c, --config <path>', 'path of esgen.config.yaml', 'esgen.config.yaml')
    .action(async (flags: { config: string }) => {
      const { checkProject, formatDiagnostics, formatDrift, hasDrift } = await import('../../generator/index.js');
      const cwd = process.cwd();
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      const result = await checkProject({ cwd, configPath: flags.config, env: process.env });
      if (result.diagnostics.length > 0) process.stderr.write(formatDiagnostics(result.diagnostics, { color, sources: result.sources }));
      if (!result.ok) {
        process.exitCode = 1;
        return;
      }
      if (hasDrift(result.drift)) {
        process.stdout.write(formatDrift(result.drift, { color, cwd }));
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`esgen check: generated code is up to date (${Math.round(result.durationMs)} ms)\n`);
    });
}
