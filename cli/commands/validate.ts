import type { Command } from 'commander';
import { addProjectOptions, displayPath, resolveCliContext, type ProjectFlags } from '../context.js';

interface ValidateFlags extends ProjectFlags {
  readonly format: string;
}

/** `esgen validate`: load and check every spec; print diagnostics; exit 1 on errors. */
export function register(program: Command): void {
  addProjectOptions(
    program
      .command('validate')
      .description('check the spec files and report every problem with file:line:column')
      .option('-f, --format <format>', 'output format: text, json, or github (GitHub Actions annotations)', 'text'),
  ).action(async (flags: ValidateFlags) => {
    if (flags.format !== 'text' && flags.format !== 'json' && flags.format !== 'github') {
      console.error(`esgen: unknown format \`${flags.format}\`; use text, json or github`);
      process.exitCode = 1;
      return;
    }
    const context = resolveCliContext(flags);
    // Only the loading pipeline: the generator's index also pulls in code generation (ts-morph, prettier).
    const [{ loadProject }, { formatDiagnostics, diagnosticsToGithub, diagnosticsToJson }] = await Promise.all([
      import('../../generator/load/load-project.js'),
      import('../../generator/diagnostics/format-diagnostics.js'),
    ]);
    const result = await loadProject({ cwd: context.cwd, ...(flags.config ? { configPath: context.configPath } : {}), env: context.env });

    // Paths in diagnostics are relative to the project root; show them relative to the cwd.
    const diagnostics = result.diagnostics.map((d) => ({ ...d, file: displayPath(context, d.file) }));
    const sources = new Map([...result.sources].map(([file, text]) => [displayPath(context, file), text]));
    const hasErrors = !result.ok;

    if (flags.format === 'json') {
      process.stdout.write(diagnosticsToJson(diagnostics));
    } else if (flags.format === 'github') {
      process.stdout.write(diagnosticsToGithub(diagnostics));
    } else {
      if (diagnostics.length > 0) {
        process.stderr.write(formatDiagnostics(diagnostics, { color: context.color.stderr, sources }));
      }
      if (result.ok) {
        const aggregates = result.ir.aggregates;
        const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
        const events = aggregates.reduce((sum, a) => sum + a.events.length, 0);
        const readModels = aggregates.reduce((sum, a) => sum + a.readModels.length, 0) + (result.ir.readModels?.length ?? 0);
        process.stdout.write(`esgen: specs are valid (${count(aggregates.length, 'aggregate')}, ${count(events, 'event')}, ${count(readModels, 'read model')})\n`);
      }
    }
    process.exitCode = hasErrors ? 1 : 0;
  });
}
