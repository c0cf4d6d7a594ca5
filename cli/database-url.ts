/**
 * The server URL of `esgen db` and `esgen projections`: checked before `pg` sees it (pg reads a
 * string that is not a URL as something else and fails with an unrelated DNS error, such as
 * `getaddrinfo ENOTFOUND base` for "notaurl"), and shown without its password.
 */

/** Where the URL came from, for messages (never the URL itself: it may hold a password). */
export type DatabaseUrlSource = '--database-url' | 'database.url in the config' | 'DATABASE_URL';

/** A one-line problem with the URL, or undefined when `pg` can use it. */
export function databaseUrlProblem(url: string, source: DatabaseUrlSource): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return `the database URL from ${source} is not a URL: write postgres://user:password@host:5432/database`;
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:' || protocol === 'socket:') return undefined;
  return `the database URL from ${source} starts with ${protocol}//: write postgres://user:password@host:5432/database`;
}

/** For messages: the server URL with its password masked. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given database URL';
  }
}
