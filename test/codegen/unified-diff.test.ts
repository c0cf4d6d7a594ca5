import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../generator/write/unified-diff.js';

describe('unifiedDiff', () => {
  const labels = { oldLabel: 'a.ts (on disk)', newLabel: 'a.ts (esgen build)' };

  it('shows a replaced line as removal then addition, with context, in one hunk', () => {
    const old = ['one', 'two', 'three', 'four', 'five'].join('\n');
    const next = ['one', 'two', 'THREE', 'four', 'five'].join('\n');
    expect(unifiedDiff(old, next, labels)).toBe(['--- a.ts (on disk)', '+++ a.ts (esgen build)', '@@ -1,5 +1,5 @@', ' one', ' two', '-three', '+THREE', ' four', ' five'].join('\n'));
  });

  it('splits distant changes into separate hunks and numbers them by line', () => {
    const lines = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`);
    const next = [...lines];
    next[1] = 'changed 2';
    next[25] = 'changed 26';
    const diff = unifiedDiff(lines.join('\n'), next.join('\n'), labels);
    expect(diff.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,5 +1,5 @@', '@@ -23,7 +23,7 @@']);
    expect(diff).toContain('-line 26\n+changed 26');
  });

  it('truncates long diffs and says how much is left out', () => {
    const old = Array.from({ length: 100 }, (_, index) => `a${index}`).join('\n');
    const next = Array.from({ length: 100 }, (_, index) => `b${index}`).join('\n');
    const diff = unifiedDiff(old, next, { ...labels, maxLines: 10 });
    expect(diff.split('\n')).toHaveLength(11);
    expect(diff).toMatch(/… \d+ more diff lines$/);
  });
});
