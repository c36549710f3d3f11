import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

import { canonicalJson } from '../domain/canonical-json.js';
import { PerisaiError } from '../domain/errors.js';
import { type Policy, policySchema } from '../domain/policy/schema.js';

export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

export interface PolicyProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export type PolicyParseResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

/** Parses and validates a policy, reporting every problem with the line it is on. Never throws on bad content. */
export function parsePolicy(source: string): PolicyParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: error.message.split('\n')[0] ?? error.message };
      }),
    };
  }
  const parsed = policySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => locateIssue(issue, doc, lineCounter)) };
  }
  const version = `${parsed.data.name}@${createHash('sha256').update(canonicalJson(parsed.data)).digest('hex').slice(0, 12)}`;
  return { ok: true, policy: { ...parsed.data, version } };
}

/** Loads a policy file or throws a PerisaiError whose message lists each problem with its line. */
export function loadPolicyFile(path: string = DEFAULT_POLICY_PATH): Policy {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PerisaiError(
      'policy_unreadable',
      `Cannot read the policy file ${path}: ${(error as Error).message}. Check the path given with --policy or PERISAI_POLICY.`,
    );
  }
  const result = parsePolicy(source);
  if (!result.ok) {
    throw new PerisaiError('policy_invalid', `The policy file ${path} is invalid:\n${formatPolicyProblems(path, result.problems)}`, {
      problems: result.problems,
    });
  }
  return result.policy;
}

export function formatPolicyProblems(path: string, problems: PolicyProblem[]): string {
  return problems.map((p) => `  ${path}:${p.line}:${p.column}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('\n');
}

type Issue = z.core.$ZodIssue;

/** Points a schema issue at the line of the YAML node it is about (shared with the clock rules file). */
export function locateIssue(issue: Issue, doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): PolicyProblem {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  // Unknown keys are reported on their parent; point at the offending key itself when we can.
  const keyPath = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...path, issue.keys[0] as string] : path;
  let offset = 0;
  for (let depth = keyPath.length; depth >= 0; depth -= 1) {
    const node = doc.getIn(keyPath.slice(0, depth), true);
    if (isNode(node) && node.range) {
      offset = node.range[0];
      if (depth === keyPath.length - 1 && issue.code === 'unrecognized_keys') offset = findKeyOffset(doc, keyPath) ?? offset;
      break;
    }
  }
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col, path: path.join('.'), message: describe(issue) };
}

function findKeyOffset(doc: ReturnType<typeof parseDocument>, keyPath: Array<string | number>): number | undefined {
  const parent = doc.getIn(keyPath.slice(0, -1), true) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
  const key = keyPath[keyPath.length - 1];
  const pair = parent?.items?.find((item) => item.key?.value === key);
  return pair?.key?.range?.[0];
}

function describe(issue: Issue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the documented facts and fields`;
  if (issue.code === 'invalid_value') return `${issue.message}`;
  return issue.message;
}
