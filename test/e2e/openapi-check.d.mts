// Types of test/e2e/openapi-check.mjs.
export function readCommittedOpenApi(): any;
export function validateOpenApi(doc: unknown): Promise<{ valid: boolean; version: string; errors: unknown }>;
export function schemaChecker(doc: unknown): (segments: (string | number)[], value: unknown) => unknown[] | null;
