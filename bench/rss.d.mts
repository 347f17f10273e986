// Types of bench/rss.mjs for the TypeScript end-to-end tests that sample workerd's memory.
export function workerdPids(rootPid: number): number[];
export function memoryKb(pids: number[]): { rssKb: number; hwmKb: number };
export interface RssSample {
  samples: number;
  intervalMs: number;
  processes: { pid: number; role: string; peakRssMB: number; hwmMB: number }[];
}
export function sampleRss(rootPid: number, ms?: number): { stop(): RssSample };
