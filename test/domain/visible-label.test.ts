import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { visibleLabelFor } from '../../src/domain/policy/visible-label.js';
import { loadPolicyFile, parsePolicy } from '../../src/policy/policy-file.js';

const shipped = loadPolicyFile();

describe('visible "AI-generated" label per jurisdiction', () => {
  test('the shipped policy labels outputs for India and nowhere else by default', () => {
    assert.equal(visibleLabelFor(shipped, 'IN'), true);
    assert.equal(visibleLabelFor(shipped, 'in'), true, 'a lower-case code names the same country');
    assert.equal(visibleLabelFor(shipped, 'ID'), false);
    assert.equal(visibleLabelFor(shipped, 'FR'), false);
    assert.equal(visibleLabelFor(shipped, null), false);
  });

  test('a policy can turn the label on everywhere except where it lists false', () => {
    const policy = { ...shipped, provenance: { visible_label: { default: true, jurisdictions: { US: false } } } };
    assert.equal(visibleLabelFor(policy, 'US'), false);
    assert.equal(visibleLabelFor(policy, 'DE'), true);
    assert.equal(visibleLabelFor(policy, undefined), true);
  });

  test('a policy without a provenance block gets no label; a bad country code is a policy error', () => {
    const minimal = 'name: p\nrules:\n  - { id: r, when: { minor: true }, decision: block, category: minor_sexual, message: m }\n';
    const parsed = parsePolicy(minimal);
    assert.ok(parsed.ok);
    assert.equal(visibleLabelFor(parsed.policy, 'IN'), false);
    const bad = parsePolicy(`${minimal}provenance: { visible_label: { jurisdictions: { india: true } } }\n`);
    assert.equal(bad.ok, false);
    assert.match(JSON.stringify(bad), /ISO 3166-1 alpha-2/);
  });
});
