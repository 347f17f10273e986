// CPU time of processes, read from /proc (Linux only): what the workerd processes spent, whatever else runs on
// the machine (wall-clock figures on a shared machine mostly measure the other tenants).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Milliseconds of user and system CPU the given processes have used so far, summed. */
export function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After the command name (which may contain spaces): state is field 3, utime 14 and stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Milliseconds of CPU the busiest thread of these processes has used so far, by `pid/tid`. Under `wrangler dev`
 * the Worker, its local D1 objects and its queues share one thread of one process, and that thread bounds req/s
 * (docs/performance.md, "Fourth pass").
 */
export function threadCpuMs(pids) {
  const out = new Map();
  for (const pid of pids) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process ended meanwhile
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(`${pid}/${tid}`, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

/** The largest per-thread CPU growth between two `threadCpuMs` readings, in ms. */
export function busiestThreadMs(before, after) {
  let most = 0;
  for (const [key, ms] of after) most = Math.max(most, ms - (before.get(key) ?? 0));
  return most;
}
