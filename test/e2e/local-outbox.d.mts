// Types of test/e2e/local-outbox.mjs.
export function latestMail(stateDir: string, recipient: string): string | null;
