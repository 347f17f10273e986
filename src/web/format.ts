/** Server-side formatting for the share page: UTC times (no client script to localize them) and numbers. */
const pad = (n: number) => String(n).padStart(2, '0');

function parts(seconds: number) {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return null;
  return { d, date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, hm: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` };
}

/** "2026-11-22 21:08 UTC". */
export function formatTime(seconds: number): string {
  const p = parts(seconds);
  return p ? `${p.date} ${p.hm} UTC` : String(seconds);
}

/** "2026-11-22" (axis labels). */
export function formatShortTime(seconds: number): string {
  return parts(seconds)?.date ?? String(seconds);
}

/** ISO 8601 for `<time datetime>`. */
export function isoTime(seconds: number): string | undefined {
  return parts(seconds)?.d.toISOString();
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** "14.5 kB", "2.1 MB": file sizes in decimal units. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}
