// Types of test/e2e/chromium.mjs.
import type { Browser } from 'playwright-core';
export const SYSTEM_CHROMIUM: string;
export function chromiumBinary(): Promise<{ source: 'debian' | '@sparticuz/chromium'; executablePath: string; args: string[] }>;
export function launchChromium(): Promise<{ browser: Browser; source: string; close(): Promise<void> }>;
export function artifactPath(name: string): string;
