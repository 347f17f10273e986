// Types of test/e2e/run-command.mjs.
export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}
export function runScript(name: string, args?: string[], env?: Record<string, string>, input?: string): Promise<CommandResult>;
export function runShell(line: string): Promise<CommandResult>;
