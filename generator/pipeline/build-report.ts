/**
 * Text the build, check and watch commands print. Pure: takes results, returns strings, so the
 * CLI stays a thin layer and tests can read the same words users see.
 */
import { relative } from 'node:path';
import pc from 'picocolors';
import type { OutputDrift } from '../write/compare-output.js';
import type { WriteSummary } from '../write/write-output.js';

export interface ReportOptions {
  readonly color: boolean;
  /** Paths are shown relative to this folder. */
  readonly cwd: string;
  /** List every file, not only the counts (the default lists up to 20 written or removed files; created user files are always listed). */
  readonly verbose?: boolean;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function formatWriteSummary(summary: WriteSummary, durationMs: number, options: ReportOptions): string {
  const c = pc.createColors(options.color);
  const show = (path: string) => relative(options.cwd, path) || path;
  const lines: string[] = [];
  const changed = [...summary.written.map((path) => `  ${c.green('wrote  ')} ${show(path)}`), ...summary.removed.map((path) => `  ${c.red('removed')} ${show(path)}`)];
  if (options.verbose || changed.length <= 20) lines.push(...changed);
  // Files the user now owns are always named, however large the build: they are theirs to edit.
  lines.push(...summary.created.map((path) => `  ${c.cyan('created')} ${show(path)} ${c.dim('(yours from now on)')}`));
  if (options.verbose) lines.push(...summary.kept.map((path) => `  ${c.dim('kept   ')} ${show(path)}`));
  for (const { path, names } of summary.missingExports) {
    lines.push(`  ${c.yellow('note   ')} ${show(path)} is yours and was kept, but does not export ${names.map((name) => `\`${name}\``).join(', ')}, which the generated code now imports: add ${names.length === 1 ? 'it' : 'them'}`);
  }
  for (const { path, imports } of summary.orphaned) {
    lines.push(
      `  ${c.yellow('note   ')} ${show(path)} is yours and was kept, but its spec is gone: it imports ${imports.map(show).join(', ')}, which this build removed. ` +
        `Delete it (it no longer compiles), or restore the spec.`,
    );
  }
  lines.push(
    `esgen build: ${plural(summary.written.length, 'file')} written, ${summary.unchanged.length} unchanged, ${summary.removed.length} removed; ` +
      `user files: ${summary.created.length} created, ${summary.kept.length} kept (${Math.round(durationMs)} ms)`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatDrift(drift: OutputDrift, options: ReportOptions & { readonly maxDiffs?: number }): string {
  const c = pc.createColors(options.color);
  const show = (path: string) => relative(options.cwd, path) || path;
  const lines = [`esgen check: generated code is out of date; run \`esgen build\` and commit the result.`];
  for (const { path } of drift.stale) lines.push(`  ${c.yellow('stale  ')} ${show(path)}`);
  for (const path of drift.missing) lines.push(`  ${c.red('missing')} ${show(path)}`);
  for (const path of drift.extra) lines.push(`  ${c.red('extra  ')} ${show(path)}`);
  const maxDiffs = options.maxDiffs ?? 5;
  for (const { diff } of drift.stale.slice(0, maxDiffs)) {
    lines.push('', ...diff.split('\n').map((line) => (line.startsWith('+') ? c.green(line) : line.startsWith('-') ? c.red(line) : line)));
  }
  if (drift.stale.length > maxDiffs) lines.push('', c.dim(`(diffs of ${drift.stale.length - maxDiffs} more stale files not shown)`));
  return `${lines.join('\n')}\n`;
}

/** One line per watch rebuild, with the time it took. */
export function formatWatchLine(
  result: import('./build-session.js').BuildResult,
  options: ReportOptions & { readonly trigger: readonly string[]; readonly previousFailed: boolean },
): string {
  const c = pc.createColors(options.color);
  const time = new Date().toISOString().slice(11, 19);
  const cause = options.trigger.length > 0 ? ` after ${[...new Set(options.trigger)].slice(0, 3).join(', ')}${options.trigger.length > 3 ? ', …' : ''} changed` : '';
  if (!result.ok) {
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    return `[${time}] ${c.red('build failed')}${cause}: ${plural(errors, 'error')}; the last good output is kept\n`;
  }
  const { summary, stats } = result;
  const fixed = options.previousFailed ? `${c.green('specs are valid again')}; ` : '';
  return (
    `[${time}] ${fixed}${options.trigger.length > 0 ? 'rebuilt' : 'built'} in ${Math.round(result.durationMs)} ms${cause}: ${stats.emittedAggregates}/${stats.totalAggregates} aggregates emitted, ` +
    `${plural(summary.written.length, 'file')} written, ${summary.removed.length} removed, ${summary.created.length} user files created\n` +
    summary.orphaned.map(({ path }) => `  ${c.yellow('note')} ${relative(options.cwd, path) || path} is yours, but its spec is gone: delete it (it no longer compiles), or restore the spec\n`).join('')
  );
}
