/**
 * A PostgreSQL cluster of the test's own, for fault injection that must never touch the shared
 * server: initdb + pg_ctl from the installed binaries in a temporary folder, on a free port, run as
 * the `postgres` user when we are root (PostgreSQL refuses to run as root). The folder and the
 * server are always removed, also when the test process exits early.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PrivateCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m <mode>`: immediate is a crash (no shutdown checkpoint; recovery on start). */
  stop(mode?: 'immediate' | 'fast'): void;
  start(): void;
  /** SIGSTOP the postmaster and all its children: the server accepts TCP but never answers. */
  freeze(): void;
  thaw(): void;
  /** One statement on a fresh connection (admin work: ALTER SYSTEM, pg_terminate_backend …). */
  sql<TRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<TRow[]>;
  dispose(): void;
}

/** The server binaries: `pg_config --bindir`, else the Debian path of PostgreSQL 15. */
export function postgresBinDir(): string | undefined {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [fromConfig.status === 0 ? fromConfig.stdout.trim() : '', '/usr/lib/postgresql/15/bin'];
  return candidates.find((dir) => dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

export async function startPrivateCluster(settings: Readonly<Record<string, string>> = {}): Promise<PrivateCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('initdb/pg_ctl not found (pg_config --bindir, /usr/lib/postgresql/15/bin): install the PostgreSQL server package');
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(join(tmpdir(), 'esgen-faults-'));
  const data = join(folder, 'data');
  const log = join(folder, 'server.log');
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(folder, uid, gid);
  }
  const run = (program: string, args: readonly string[]) => {
    const [command, prefix] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program)]] : [join(bin, program), []];
    const result = spawnSync(command as string, [...(prefix as string[]), ...args], { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) {
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`${program} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}\n${serverLog}`);
    }
  };

  let removed = false;
  const dispose = () => {
    if (removed) return;
    removed = true;
    process.off('exit', dispose);
    try {
      signalServer('SIGCONT');
      if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    } catch {
      // already stopped
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
  process.on('exit', dispose);

  const port = await freePort();
  // fsync off: the faults here kill server processes, never the machine, so what a backend has
  // written to the OS is durable anyway; it keeps a shared 2-core machine responsive.
  const options = [
    `-p ${port}`,
    `-k ${folder}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c shared_buffers=16MB',
    '-c max_connections=60',
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    run('pg_ctl', ['start', '-D', data, '-l', log, '-o', options, '-w', '-t', '60']);
  } catch (error) {
    dispose();
    throw error;
  }

  function postmasterPid(): number | undefined {
    const file = join(data, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  function signalServer(signal: 'SIGSTOP' | 'SIGCONT'): void {
    const pid = postmasterPid();
    if (pid === undefined) return;
    const pids = [pid, ...childrenOf(pid)];
    // Freeze the postmaster first (no new backends), thaw it last.
    for (const target of signal === 'SIGSTOP' ? pids : pids.reverse()) {
      try {
        process.kill(target, signal);
      } catch {
        // exited meanwhile
      }
    }
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    stop: (mode = 'immediate') => run('pg_ctl', ['stop', '-D', data, '-m', mode, '-w', '-t', '60']),
    start: () => run('pg_ctl', ['start', '-D', data, '-l', log, '-o', options, '-w', '-t', '60']),
    freeze: () => signalServer('SIGSTOP'),
    thaw: () => signalServer('SIGCONT'),
    async sql<TRow>(text: string, params?: unknown[]) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query(text, params)).rows as TRow[];
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    dispose,
  };
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Child processes of `pid`, from /proc (backends, checkpointer, walwriter …). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may contain spaces) start after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
