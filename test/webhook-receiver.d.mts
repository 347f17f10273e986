// Types of test/webhook-receiver.mjs.
export function startReceiver(): Promise<{ url: string; close(): Promise<void> }>;
export default function setup(ctx: { provide(key: string, value: unknown): void }): Promise<() => Promise<void>>;
