import type { Command } from 'commander';

/** `esgen watch`: rebuild on every change of the config or a spec, until interrupted. */
export function register(program: Command): void {
  program
    .command('watch')
    .description('rebuild whenever the config or a spec changes; invalid specs keep the last good output')
    .option('-c, --config <path>', 'path of esgen.config.yaml', 'esgen.config.yaml')
    .action(async (flags: { config: string }) => {
      const { watchProject, formatDiagnostics, formatWatchLine } = await import('../../generator/index.js');
      const cwd = process.cwd();
      const tty = Boolean(process.stdout.isTTY);
      const color = tty && !process.env.NO_COLOR;
      const watcher = watchProject({
        cwd,
        configPath: flags.config,
        env: process.env,
        onBuild(result, { trigger, previousFailed }) {
          // On a terminal the screen shows only the latest state: old errors disappear once fixed.
          if (tty && (previousFailed || !result.ok)) process.stdout.write('\x1b[2J\x1b[H');
          if (result.diagnostics.length > 0) process.stderr.write(formatDiagnostics(result.diagnostics, { color, sources: result.sources }));
          process.stdout.write(formatWatchLine(result, { color, cwd, trigger, previousFailed }));
        },
        onError(error) {
          process.stderr.write(`esgen watch: ${error instanceof Error ? error.message : String(error)}\n`);
        },
      });
      await watcher.ready;
      process.stdout.write(`esgen watch: watching for changes (Ctrl+C to stop)\n`);
      const stop = () => {
        void watcher.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
