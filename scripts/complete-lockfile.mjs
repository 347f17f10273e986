// The npm registry reachable here lacks workerd's macOS and Windows binaries, so `npm install` leaves their
// optional entries out of package-lock.json and `npm ci` then refuses the lockfile as out of sync. This adds
// those entries back (os/cpu-restricted, optional: npm never installs them on Linux). Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const PLATFORMS = {
  '@cloudflare/workerd-darwin-64': { os: ['darwin'], cpu: ['x64'] },
  '@cloudflare/workerd-darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  '@cloudflare/workerd-windows-64': { os: ['win32'], cpu: ['x64'] },
  '@cloudflare/workerd-linux-arm64': { os: ['linux'], cpu: ['arm64'] },
};
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.endsWith('node_modules/workerd') || !entry.optionalDependencies) continue;
  const prefix = key.slice(0, -'workerd'.length);
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const platform = PLATFORMS[name];
    if (!platform) continue;
    // npm resolves a dependency from the nearest node_modules up the tree: add it beside the workerd that needs it.
    const target = `${prefix}${name}`;
    if (lock.packages[target]) continue;
    lock.packages[target] = { version, ...platform, dev: !!entry.dev, optional: true, license: 'Apache-2.0' };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform entries added`);
