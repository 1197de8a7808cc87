/** CPU time of this process's threads from /proc (Linux), for the bench's targets and scripts. */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (utime + stime) of thread `tid` of this process so far, ms; the main thread by default. Throws without /proc. */
export function threadCpuMs(tid: number | string = process.pid): number {
  const f = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // in USER_HZ (100 on Linux)
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
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10, faults: Number(fields[7]) }; // USER_HZ 100
}
