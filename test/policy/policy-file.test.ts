import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { DEFAULT_POLICY_PATH, parsePolicy } from '../../src/policy/policy-file.js';

const DEFAULT = readFileSync(DEFAULT_POLICY_PATH, 'utf8');

test('the shipped policy is valid and versioned by content', () => {
  const result = parsePolicy(DEFAULT);
  assert.ok(result.ok);
  assert.match(result.policy.version, /^perisai-default@[0-9a-f]{12}$/);
});

test('comments and formatting do not change the version; meaning does', () => {
  const a = parsePolicy(DEFAULT);
  const b = parsePolicy(`# a new comment\n${DEFAULT.replace('name: perisai-default', 'name:    perisai-default')}`);
  const c = parsePolicy(DEFAULT.replace('possible_minor_age: 25', 'possible_minor_age: 21'));
  assert.ok(a.ok && b.ok && c.ok);
  assert.equal(a.policy.version, b.policy.version);
  assert.notEqual(a.policy.version, c.policy.version);
});

test('an unknown fact is reported on its own line', () => {
  const source = [
    'name: p',
    'rules:',
    '  - id: r1',
    '    when: { minor: true, minr: true }',
    '    decision: block',
    '    category: minor_sexual',
    '    message: no',
  ].join('\n');
  const result = parsePolicy(source);
  assert.ok(!result.ok);
  assert.equal(result.problems[0]!.line, 4);
  assert.match(result.problems[0]!.message, /unknown field "minr"/);
});

test('a wrong value names its path and line', () => {
  const source = [
    'name: p',
    'settings:',
    '  on_detector_failure: allow',
    'rules:',
    '  - id: r1',
    '    when: { minor: true }',
    '    decision: block',
    '    category: minor_sexual',
    '    message: no',
  ].join('\n');
  const result = parsePolicy(source);
  assert.ok(!result.ok);
  const problem = result.problems.find((p) => p.path === 'settings.on_detector_failure');
  assert.ok(problem, JSON.stringify(result.problems));
  assert.equal(problem.line, 3);
});

test('a bad category deep in the rules list points at that rule', () => {
  const source = DEFAULT.replace('category: sexual_violence', 'category: sexual_violenc');
  const result = parsePolicy(source);
  assert.ok(!result.ok);
  const line = DEFAULT.split('\n').findIndex((l) => l.includes('category: sexual_violence')) + 1;
  assert.equal(result.problems[0]!.line, line);
});

test('YAML syntax errors come with a line number', () => {
  const result = parsePolicy('name: p\nrules:\n  - id: [unclosed\n');
  assert.ok(!result.ok);
  assert.ok(result.problems[0]!.line >= 3);
});

test('allow is not a valid rule decision: the policy cannot make a rule that lets content through', () => {
  const result = parsePolicy(
    ['name: p', 'rules:', '  - id: r1', '    when: { minor: true }', '    decision: allow', '    category: minor_sexual', '    message: no'].join('\n'),
  );
  assert.ok(!result.ok);
  assert.equal(result.problems[0]!.line, 5);
});
