/** CPU time of this process's threads from /proc (Linux), for the bench's targets and scripts. */
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of `/proc/<pid>/task/<tid>/stat` after the command name (field 3 of proc(5) first). */
function taskStat(pid: number | 'self', tid: number | string): string[] {
  const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return f.slice(f.lastIndexOf(')') + 2).split(' ');
}

/** Clock ticks (USER_HZ, 100 on Linux) in ms. */
const TICK_MS = 1000 / 100;

/** CPU time (utime + stime) of thread `tid` of this process so far, ms; the main thread by default. Throws without /proc. */
export function threadCpuMs(tid: number | string = process.pid): number {
  const fields = taskStat('self', tid);
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU time of every thread of this process so far, by thread id (empty without /proc). */
export function threadsCpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) out[tid] = threadCpuMs(tid);
  } catch {
    // a thread ended while being read, or no /proc: what was read
  }
  return out;
}

/** User and system CPU time (ms) and minor page faults of the main thread of process `pid` so far (Linux /proc). */
export function mainThreadTimes(pid: number): { user: number; system: number; faults: number } {
  const fields = taskStat(pid, pid);
  return { user: Number(fields[11]) * TICK_MS, system: Number(fields[12]) * TICK_MS, faults: Number(fields[7]) };
}
