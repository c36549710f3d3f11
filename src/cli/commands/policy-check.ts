import { readFile } from 'node:fs/promises';

import { formatPolicyProblems, parsePolicy } from '../../policy/policy-file.js';
import { EXIT, writeLine } from '../io.js';

/** `perisai policy check FILE`: validates a policy and explains each problem with its line. */
export async function policyCheck(path: string): Promise<number> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    process.stderr.write(`perisai: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT.usage;
  }
  const result = parsePolicy(source);
  if (!result.ok) {
    process.stderr.write(
      `${path} is invalid (${result.problems.length} problem${result.problems.length > 1 ? 's' : ''}):\n${formatPolicyProblems(path, result.problems)}\n`,
    );
    return EXIT.usage;
  }
  const { policy } = result;
  await writeLine(
    `${path} is valid: policy ${policy.version}, ${policy.rules.length} rules, adult content ${policy.settings.adult_content ? 'enabled' : 'disabled'}, detector failures yield ${policy.settings.on_detector_failure}.`,
  );
  return EXIT.ok;
}
