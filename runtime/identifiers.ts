import { InvalidIdentifier } from './errors.js';

/** Strict on purpose: names that never need case folding or escaping to be safe in SQL. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULT_SCHEMA = 'public';

/** Throws InvalidIdentifier unless `name` is a safe lower-case identifier; returns it. */
export function assertIdentifier(kind: string, name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new InvalidIdentifier(kind, String(name));
  return name;
}

/** Double-quoted so reserved words (`user`, `order`) work as names too. */
export function quoteIdentifier(name: string): string {
  return `"${name}"`;
}

/** Validates an optional schema name (default `public`) and returns it quoted. */
export function resolveSchema(schema: string | undefined): { readonly name: string; readonly quoted: string } {
  const name = assertIdentifier('schema name', schema ?? DEFAULT_SCHEMA);
  return { name, quoted: quoteIdentifier(name) };
}
