// Searching a local state folder for secrets, byte for byte (Node code, typed by state-files.d.mts: the
// TypeScript project has no Node typings).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** How many files the folder holds, and "file holds abcd…" for every secret found in one of them. */
export function findSecrets(dir, secrets) {
  const files = filesUnder(dir);
  const leaks = files.flatMap((file) => {
    const bytes = readFileSync(file);
    return secrets
      .filter((secret) => bytes.includes(Buffer.from(secret)))
      .map((secret) => `${path.relative(dir, file)} holds ${secret.slice(0, 4)}…`);
  });
  return { files: files.length, leaks };
}
