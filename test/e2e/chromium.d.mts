// Types of test/e2e/chromium.mjs.
import type { Browser } from 'playwright-core';
export const CHROMIUM: string;
export function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }>;
export function artifactPath(name: string): string;
