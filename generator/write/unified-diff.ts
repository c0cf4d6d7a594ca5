/**
 * A short unified diff of two texts, for `esgen check`: enough to show what drifted, not a
 * general-purpose diff tool. Lines are matched by a longest-common-subsequence table, which is
 * fine for generated files (a few hundred lines); larger inputs fall back to a summary line.
 */
const maxCells = 4_000_000;

type Edit = { kind: ' ' | '-' | '+'; line: string; oldLine: number; newLine: number };

export function unifiedDiff(oldText: string, newText: string, options: { oldLabel: string; newLabel: string; context?: number; maxLines?: number }): string {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const header = [`--- ${options.oldLabel}`, `+++ ${options.newLabel}`];
  if (a.length * b.length > maxCells) return [...header, `@@ files too large to diff here (${a.length} → ${b.length} lines) @@`].join('\n');
  const edits = diffLines(a, b);
  const context = options.context ?? 3;
  const lines: string[] = [...header];
  let index = 0;
  while (index < edits.length) {
    if (edits[index]?.kind === ' ') {
      index += 1;
      continue;
    }
    const start = Math.max(0, index - context);
    let end = index;
    // Extend the hunk while changes are closer than 2 × context lines apart.
    for (let probe = index; probe < edits.length; probe += 1) {
      if (edits[probe]?.kind !== ' ') end = probe;
      else if (probe - end > 2 * context) break;
    }
    const stop = Math.min(edits.length, end + context + 1);
    const hunk = edits.slice(start, stop);
    const first = hunk[0];
    const oldCount = hunk.filter((edit) => edit.kind !== '+').length;
    const newCount = hunk.filter((edit) => edit.kind !== '-').length;
    lines.push(`@@ -${(first?.oldLine ?? 0) + 1},${oldCount} +${(first?.newLine ?? 0) + 1},${newCount} @@`);
    for (const edit of hunk) lines.push(`${edit.kind}${edit.line}`);
    index = stop;
  }
  const maxLines = options.maxLines ?? 40;
  if (lines.length > maxLines) return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more diff lines`].join('\n');
  return lines.join('\n');
}

function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const width = b.length + 1;
  // lengths[i * width + j] = LCS length of a[i..] and b[j..]
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] = a[i] === b[j] ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i] ?? '', oldLine: i, newLine: j });
      i += 1;
      j += 1;
    } else if (i < a.length && (j >= b.length || (lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0))) {
      // Removals first on a tie: the usual order of a replaced line in a unified diff.
      edits.push({ kind: '-', line: a[i] ?? '', oldLine: i, newLine: j });
      i += 1;
    } else {
      edits.push({ kind: '+', line: b[j] ?? '', oldLine: i, newLine: j });
      j += 1;
    }
  }
  return edits;
}
