import { parsePolicy } from '../../policy/policy-file.js';
import { EXIT, writeLine } from '../io.js';
import { parseFileForCheck } from './check-file.js';

/** `perisai policy check FILE`: validates a policy and explains each problem with its line. */
export async function policyCheck(path: string): Promise<number> {
  const result = await parseFileForCheck(path, parsePolicy);
  if (!result) return EXIT.usage;
  const { policy } = result;
  await writeLine(
    `${path} is valid: policy ${policy.version}, ${policy.rules.length} rules, adult content ${policy.settings.adult_content ? 'enabled' : 'disabled'}, detector failures yield ${policy.settings.on_detector_failure}.`,
  );
  return EXIT.ok;
}
