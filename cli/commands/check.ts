import type { Command } from 'commander';
import { addProjectOptions, diagnosticsForDisplay, displayPath, resolveCliContext, type ProjectFlags } from '../context.js';

interface CheckFlags extends ProjectFlags {
  readonly format: string;
  readonly strict?: boolean;
  readonly against?: string;
}

const formats = ['text', 'json', 'github'] as const;

/**
 * `esgen check`: load the specs, apply the esgen.lock rules, regenerate in memory and compare with
 * the disk. Exit 0 up to date, 1 invalid specs or a breaking change, 2 drift (generated code or
 * esgen.lock out of date).
 */
export function register(program: Command): void {
  addProjectOptions(
    program
      .command('check')
      .description('verify the specs keep every locked event version and the generated code and esgen.lock are up to date (exit 2 when not); for CI')
      .option('-f, --format <format>', 'output format: text, json, or github (GitHub Actions annotations)', 'text')
      .option('--strict', 'fail while event versions are marked `draft: true` (for release pipelines)')
      .option('--against <ref>', 'also compare with esgen.lock at a git ref (a pull request\'s base, e.g. origin/main)'),
  ).action(async (flags: CheckFlags) => {
    if (!(formats as readonly string[]).includes(flags.format)) {
      console.error(`esgen: unknown format \`${flags.format}\`; use text, json or github`);
      process.exitCode = 1;
      return;
    }
    const context = resolveCliContext(flags);
    const { checkProject, diagnosticsToGithub, diagnosticsToJson, formatDiagnostics, formatDrift, hasDrift } = await import('../../generator/index.js');
    const lock = { ...(flags.strict ? { strict: true } : {}), ...(flags.against !== undefined ? { against: flags.against } : {}) };
    const result = await checkProject({ cwd: context.cwd, configPath: context.configPath, env: context.env, lock });
    const shown = diagnosticsForDisplay(context, result.diagnostics, result.sources);
    const drift = result.ok ? result.drift : undefined;
    const drifted = drift !== undefined && hasDrift(drift);
    const driftPaths = drift ? [...drift.stale.map((entry) => entry.path), ...drift.missing, ...drift.extra].map((path) => displayPath(context, path)) : [];

    if (flags.format === 'json') {
      const report = JSON.parse(diagnosticsToJson(shown.diagnostics)) as Record<string, unknown>;
      process.stdout.write(`${JSON.stringify({ ...report, upToDate: result.ok && !drifted, outOfDate: driftPaths }, null, 2)}\n`);
    } else if (flags.format === 'github') {
      process.stdout.write(diagnosticsToGithub(shown.diagnostics));
      for (const path of driftPaths) process.stdout.write(`::error file=${path}::out of date: run \`esgen build\` and commit the result\n`);
    } else {
      if (shown.diagnostics.length > 0) process.stderr.write(formatDiagnostics(shown.diagnostics, { color: context.color.stderr, sources: shown.sources }));
      if (drift && drifted) process.stdout.write(formatDrift(drift, { color: context.color.stdout, cwd: context.cwd }));
      else if (result.ok) process.stdout.write(`esgen check: generated code is up to date; esgen.lock keeps every locked event version (${Math.round(result.durationMs)} ms)\n`);
    }
    process.exitCode = !result.ok ? 1 : drifted ? 2 : 0;
  });
}
