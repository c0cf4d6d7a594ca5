/**
 * Mermaid text that parses whatever the spec's names are: node ids from a closed alphabet, labels
 * always quoted with the characters Mermaid treats specially written as entity codes.
 */

/** A node id: letters, digits and underscores only, prefixed so ids of different kinds never clash. */
export function nodeId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A quoted label: `"` and the markdown/HTML specials become Mermaid entity codes (`#quot;`). */
export function label(text: string): string {
  return `"${text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, ' ')}"`;
}

/** A fenced Mermaid block for Markdown. */
export function mermaidBlock(lines: readonly string[]): string {
  return ['```mermaid', ...lines, '```'].join('\n');
}

/** The Mermaid blocks of a Markdown text, for tests that parse them. */
export function mermaidBlocksOf(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1]!);
}
