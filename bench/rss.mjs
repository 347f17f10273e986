// Memory of the workerd processes under the wrangler process tree, read from /proc (Linux only).
import { readFileSync, readdirSync } from 'node:fs';

function children() {
  const map = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may contain spaces.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!map.has(ppid)) map.set(ppid, []);
      map.get(ppid).push(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  return map;
}

/** Pids of workerd processes descending from `rootPid`. */
export function workerdPids(rootPid) {
  const map = children();
  const found = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift();
    for (const child of map.get(pid) ?? []) {
      queue.push(child);
      try {
        if (readFileSync(`/proc/${child}/comm`, 'utf8').trim().startsWith('workerd')) found.push(child);
      } catch {
        // gone
      }
    }
  }
  return found;
}

/** {rssKb, hwmKb} summed over the given pids (VmHWM is each process's peak since it started). */
export function memoryKb(pids) {
  let rssKb = 0;
  let hwmKb = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      hwmKb += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { rssKb, hwmKb };
}

/**
 * One process's resident memory split by kind: anonymous (heaps, malloc arenas) and file-backed (mapped
 * binaries and files, e.g. SQLite's). A growth of anonymous memory is the runtime's or the Worker's; a growth
 * of file pages is the page cache of mapped files.
 */
export function memoryDetailKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssKb: field('VmRSS'), anonKb: field('RssAnon'), fileKb: field('RssFile'), hwmKb: field('VmHWM') };
  } catch {
    return null; // gone
  }
}

/**
 * wrangler dev runs two workerd processes: its dev proxy (listening on the public port) and the runtime
 * executing the Worker (started with an inspector). Labelled from the command line.
 */
export function role(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr') ? 'worker runtime' : 'dev proxy';
  } catch {
    return 'gone';
  }
}

/** Samples the workerd RSS every `ms` until stopped; returns per-process peak sampled RSS and final VmHWM. */
export function sampleRss(rootPid, ms = 250) {
  let pids = workerdPids(rootPid);
  const peaks = new Map();
  let samples = 0;
  const tick = () => {
    if (pids.length === 0) pids = workerdPids(rootPid);
    for (const pid of pids) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, memoryKb([pid]).rssKb));
    samples += 1;
  };
  tick();
  const timer = setInterval(tick, ms);
  return {
    stop() {
      clearInterval(timer);
      tick();
      const processes = pids.map((pid) => ({ pid, role: role(pid), peakRssMB: round((peaks.get(pid) ?? 0) / 1024), hwmMB: round(memoryKb([pid]).hwmKb / 1024) }));
      return { samples, intervalMs: ms, processes };
    },
  };
}

const round = (n) => Math.round(n * 10) / 10;
