import type { Command } from 'commander';
import { addProjectOptions, diagnosticsForDisplay, resolveCliContext, type ProjectFlags } from '../context.js';

/** `esgen watch`: rebuild on every change of the config or a spec, until interrupted. */
export function register(program: Command): void {
  addProjectOptions(
    program.command('watch').description('rebuild whenever the config or a spec changes; invalid specs keep the last good output'),
  ).action(async (flags: ProjectFlags) => {
    const context = resolveCliContext(flags);
    const { watchProject, formatDiagnostics, formatWatchLine } = await import('../../generator/index.js');
    const tty = Boolean(process.stdout.isTTY);
    const watcher = watchProject({
      cwd: context.cwd,
      configPath: context.configPath,
      env: context.env,
      onBuild(result, { trigger, previousFailed }) {
        // On a terminal the screen shows only the latest state: old errors disappear once fixed.
        if (tty && (previousFailed || !result.ok)) process.stdout.write('\x1b[2J\x1b[H');
        if (result.diagnostics.length > 0) {
          const shown = diagnosticsForDisplay(context, result.diagnostics, result.sources);
          process.stderr.write(formatDiagnostics(shown.diagnostics, { color: context.color.stderr, sources: shown.sources }));
        }
        process.stdout.write(formatWatchLine(result, { color: context.color.stdout, cwd: context.cwd, trigger, previousFailed }));
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
