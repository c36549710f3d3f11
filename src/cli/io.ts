import { isPerisaiError } from '../domain/errors.js';

/** Exit codes of the `perisai` command, documented in its --help. */
export const EXIT = { ok: 0, failure: 1, usage: 2, blocked: 3, review: 4 } as const;

export function printError(error: unknown): number {
  if (isPerisaiError(error)) {
    process.stderr.write(`perisai: ${error.message}\n`);
    return error.code.startsWith('invalid_') || error.code.startsWith('policy_') ? EXIT.usage : EXIT.failure;
  }
  process.stderr.write(`perisai: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  return EXIT.failure;
}

/** Writes a line to stdout, waiting when the pipe is full so a large output keeps memory bounded. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
