// Types of scripts/webhook-receiver.mjs.
export function startReceiver(): Promise<{ url: string; close(): Promise<void> }>;
