// Types of test/e2e/state-files.mjs.
export function findSecrets(dir: string, secrets: string[]): { files: number; leaks: string[] };
