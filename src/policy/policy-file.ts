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

/** A YAML document with the line counter that locates its nodes, or its syntax problems (shared with the clock rules file). */
export type YamlSource = { ok: true; doc: ReturnType<typeof parseDocument>; lineCounter: LineCounter } | { ok: false; problems: PolicyProblem[] };

export function readYaml(source: string): YamlSource {
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
  return { ok: true, doc, lineCounter };
}

/** Parses and validates a policy, reporting every problem with the line it is on. Never throws on bad content. */
export function parsePolicy(source: string): PolicyParseResult {
  const yaml = readYaml(source);
  if (!yaml.ok) return yaml;
  const { doc, lineCounter } = yaml;
  const parsed = policySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => locateIssue(issue, doc, lineCounter)) };
  }
  // Rules are named in every decision and audit entry by id, so two rules with one id would make
  // a decision ambiguous; zod cannot see across array items, so the check is done here.
  const duplicates = duplicateRuleIds(parsed.data.rules, doc, lineCounter);
  if (duplicates.length > 0) return { ok: false, problems: duplicates };
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
  const received: unknown = issue.code === 'invalid_value' ? doc.getIn(path) : undefined;
  return { line: pos.line, column: pos.col, path: path.join('.'), message: describe(issue, received) };
}

function findKeyOffset(doc: ReturnType<typeof parseDocument>, keyPath: Array<string | number>): number | undefined {
  const parent = doc.getIn(keyPath.slice(0, -1), true) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
  const key = keyPath[keyPath.length - 1];
  const pair = parent?.items?.find((item) => item.key?.value === key);
  return pair?.key?.range?.[0];
}

function duplicateRuleIds(rules: ReadonlyArray<{ id: string }>, doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): PolicyProblem[] {
  const first = new Map<string, number>();
  const problems: PolicyProblem[] = [];
  const lineOf = (index: number): { line: number; col: number } => {
    const node = doc.getIn(['rules', index, 'id'], true);
    return lineCounter.linePos(isNode(node) && node.range ? node.range[0] : 0);
  };
  rules.forEach((rule, index) => {
    const earlier = first.get(rule.id);
    if (earlier === undefined) {
      first.set(rule.id, index);
      return;
    }
    const pos = lineOf(index);
    problems.push({
      line: pos.line,
      column: pos.col,
      path: `rules.${index}.id`,
      message: `duplicate rule id "${rule.id}": rules.${earlier} (line ${lineOf(earlier).line}) and rules.${index} (line ${pos.line}) share it; give each rule its own id`,
    });
  });
  return problems;
}

/** The allowed value closest to a misspelt one (Levenshtein distance at most a third of its length), for a "did you mean". */
export function closestValue(value: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(value.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function describe(issue: Issue, received: unknown): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the documented facts and fields`;
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((v) => String(v));
    const shown = received === undefined ? 'the value' : JSON.stringify(received);
    const guess = typeof received === 'string' ? closestValue(received, allowed) : undefined;
    return `${shown} is not allowed here; use one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`;
  }
  return issue.message;
}
