import { readFile } from 'node:fs/promises';

import { formatPolicyProblems, type PolicyProblem } from '../../policy/policy-file.js';

/**
 * Reads and parses a file for a `check` command (policy, clocks). Prints why it cannot be read,
 * or each problem with its line, and returns undefined then; otherwise the parse result.
 */
export async function parseFileForCheck<R extends { ok: true }>(
  path: string,
  parse: (source: string) => R | { ok: false; problems: PolicyProblem[] },
): Promise<R | undefined> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    process.stderr.write(`perisai: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return undefined;
  }
  const result = parse(source);
  if (!result.ok) {
    const count = result.problems.length;
    process.stderr.write(`${path} is invalid (${count} problem${count > 1 ? 's' : ''}):\n${formatPolicyProblems(path, result.problems)}\n`);
    return undefined;
  }
  return result;
}
