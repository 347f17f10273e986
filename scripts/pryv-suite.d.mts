// Types of scripts/pryv-suite.mjs for the TypeScript end-to-end test that runs it.
export interface PryvSuiteResult {
  files: string[];
  passed: string[];
  failed: string[];
  pending: string[];
  excluded: Record<string, string>;
  failures: { title: string; error: string }[];
}

export const SELECTED_FILES: string[];
export const EXCLUDED: Record<string, string>;
export const ADDON_SUITES: { dir: string; files: string[] }[];
export const ADDON_FILES: string[];
export const ADDON_EXCLUDED: Record<string, string>;
export function runPryvSuite(opts: { serviceInfoUrl: string; files?: string[]; exclude?: Record<string, string>; reporter?: string; cwdDir?: string }): Promise<PryvSuiteResult>;
export function runPryvSuiteProcess(args?: string[]): Promise<{ code: number | null; output: string; result?: PryvSuiteResult }>;
