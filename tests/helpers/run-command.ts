/** Runs one registered CLI command in this process, capturing stdout, stderr and the exit code. */
import { Command } from 'commander';
import { vi } from 'vitest';

export async function runCommand(
  register: (program: Command) => unknown,
  args: string[],
): Promise<{ out: string; err: string; code: string | number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'pgdba', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return { out: out.join(''), err: err.join(''), code: process.exitCode };
}
