/**
 * CPU time a workload costs: this Node process (process.cpuUsage) plus the server backends of the
 * bench database (/proc/<pid>/stat, so only for a server on this machine). Unlike throughput, CPU
 * time per operation hardly moves when other processes load the machine, and on a machine whose
 * cores are all busy it is what throughput is made of: the 8-writer rows of the store bench use it
 * to show where esgen's time goes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SqlExecutor } from '../../runtime/sql-client.js';

export interface CpuCost {
  /** Microseconds of this process's CPU per operation. */
  readonly node: number;
  /** Microseconds of the bench database's server backends per operation. */
  readonly server: number;
}

/** CPU per operation of `work` (which performs `operations`), or undefined when the server's processes cannot be read here. */
export async function cpuPerOperation(executor: SqlExecutor, operations: number, work: () => Promise<unknown>): Promise<CpuCost | undefined> {
  const before = await backendTicks(executor);
  if (before === undefined) return undefined;
  const node = process.cpuUsage();
  await work();
  const nodeUsed = process.cpuUsage(node);
  const after = await backendTicks(executor);
  if (after === undefined) return undefined;
  let ticks = 0;
  // A backend that appeared during the work (a new pooled connection) counts from its start.
  for (const [pid, used] of after) ticks += used - (before.get(pid) ?? 0);
  return { node: (nodeUsed.user + nodeUsed.system) / operations, server: (ticks / clockTicksPerSecond()) * 1e6 / operations };
}

async function backendTicks(executor: SqlExecutor): Promise<Map<number, number> | undefined> {
  const { rows } = await executor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    const used = processTicks(pid);
    if (used === undefined) return undefined;
    ticks.set(pid, used);
  }
  return ticks;
}

/** utime + stime of a process in clock ticks (proc(5): fields 14 and 15, after the parenthesised name). */
function processTicks(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
