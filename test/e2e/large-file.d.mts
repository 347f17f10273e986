// Types of large-file.mjs.
export function fileBytes(size: number, offset: number, length: number): Uint8Array;
export function uploadGenerated(url: string, token: string, event: unknown, size: number): Promise<{ status: number; body: any; sha256: string; ms: number }>;
export function downloadHashed(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers; size: number; sha256: string; ms: number }>;
export function isolateMemory(inspectorPort: number, wake: () => Promise<unknown>, everyMs?: number): Promise<{ baseline: number; stop(): Promise<{ peak: number; rawPeak: number }> }>;
