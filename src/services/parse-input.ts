import type { z } from 'zod';

import { PerisaiError } from '../domain/errors.js';

/**
 * Validates input at the edge. The message names each bad field by its path
 * (`body.images[0].data`) and says what to fix, so a developer can correct the call at once.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues
    .flatMap(unwrapUnion)
    .slice(0, 10)
    .map((issue) => ({ path: formatPath(where, issue.path), message: describeIssue(issue) }));
  const message = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  // A schema marks an over-size image so the caller gets 413, the status a size limit has everywhere else.
  const tooLarge = result.error.issues.some((issue) => issue.code === 'custom' && issue.params?.['error'] === 'image_too_large');
  if (tooLarge) throw new PerisaiError('image_too_large', `${message}.`, { issues });
  throw new PerisaiError('invalid_request', `${message}.`, { issues });
}

/**
 * A value that fits none of a union's shapes gets zod's bare "Invalid input". When exactly one
 * shape fits the value's type (the right kind of value, wrong in detail), its issues are the
 * ones to report, under the union's path; when none fits, one issue names the accepted types.
 */
function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  // A union with its own message (a schema that says what it takes) keeps it.
  if (issue.message !== 'Invalid input') return [issue];
  const fitting = issue.errors.filter((branch) => !branch.some((inner) => inner.code === 'invalid_type'));
  if (fitting.length === 1) return fitting[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })).flatMap(unwrapUnion);
  const expected = [
    ...new Set(issue.errors.flatMap((branch) => branch.flatMap((inner) => (inner.code === 'invalid_type' && inner.path.length === 0 ? [inner.expected] : [])))),
  ];
  if (fitting.length > 1 || expected.length === 0) return [issue];
  const input = (issue.errors[0]![0] as { input?: unknown } | undefined)?.input;
  const got = input === undefined ? '' : `, not ${describeValue(input)}`;
  const kinds = expected.map((type) => (type === 'null' ? 'null' : article(type)));
  const list = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}` : kinds[0];
  return [{ ...issue, message: `must be ${list}${got}` }];
}

function formatPath(where: string, path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), where);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} (check the spelling against /openapi.json)`;
    case 'invalid_type':
      return issue.input === undefined ? `is required (${issue.expected})` : `must be ${article(issue.expected)}, not ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} character(s) long`
        : issue.origin === 'array'
          ? `must have at least ${issue.minimum} item(s)`
          : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.message.startsWith('Too big')
        ? issue.origin === 'string'
          ? `must be at most ${issue.maximum} characters long`
          : `must be at most ${issue.maximum}`
        : issue.message;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}
