import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { canonicalJson } from '../domain/canonical-json.js';
import { clockFileSchema, type ClockRules, clockRulesFrom, duplicateRuleIds } from '../domain/clocks/index.js';
import { PerisaiError } from '../domain/errors.js';
import { formatPolicyProblems, locateIssue, type PolicyProblem, readYaml } from './policy-file.js';

export const DEFAULT_CLOCKS_PATH = fileURLToPath(new URL('../../policies/clocks.yaml', import.meta.url));

export type ClockRulesParseResult = { ok: true; rules: ClockRules } | { ok: false; problems: PolicyProblem[] };

/** Parses and validates a clock rules file, reporting every problem with its line. Never throws on bad content. */
export function parseClockRules(source: string): ClockRulesParseResult {
  const yaml = readYaml(source);
  if (!yaml.ok) return yaml;
  const { doc, lineCounter } = yaml;
  const raw: unknown = doc.toJS();
  const parsed = clockFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => locateIssue(issue, doc, lineCounter));
    const rawRules = typeof raw === 'object' && raw !== null ? (raw as { rules?: unknown }).rules : undefined;
    for (const duplicate of duplicateRuleIds(rawRules)) {
      const path = duplicate.path.join('.');
      if (problems.some((p) => p.path === path && p.message === duplicate.message)) continue;
      problems.push(locateIssue({ code: 'custom', input: undefined, ...duplicate }, doc, lineCounter));
    }
    return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  // The version is a hash of what the rules mean (defaults applied), not of the file's bytes:
  // reformatting or a comment does not change it; any figure or citation does.
  const version = `${parsed.data.name}@${createHash('sha256').update(canonicalJson(parsed.data)).digest('hex').slice(0, 12)}`;
  return { ok: true, rules: clockRulesFrom(parsed.data, version) };
}

/** Loads a clock rules file or throws a PerisaiError naming the path and each problem's line and field. */
export async function loadClockRules(path: string): Promise<ClockRules> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw new PerisaiError(
      'clocks_unreadable',
      `Cannot read the clock rules file ${path}: ${(error as Error).message}. Check the path given in PERISAI_CLOCKS_FILE.`,
    );
  }
  const result = parseClockRules(source);
  if (!result.ok) {
    throw new PerisaiError('clocks_invalid', `The clock rules file ${path} is invalid:\n${formatPolicyProblems(path, result.problems)}`, {
      problems: result.problems,
    });
  }
  return result.rules;
}

/** The rules shipped in `policies/clocks.yaml`. */
export function shippedClockRules(): Promise<ClockRules> {
  return loadClockRules(DEFAULT_CLOCKS_PATH);
}
