import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { WEBHOOK_JOB_KIND } from '../../src/services/webhooks.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'perisai-clocks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

const DEFAULT_RULE = '  - { id: default, hours: 24, basis: target, source: { title: T, citation: C } }';

describe('perisai clocks check', () => {
  test('accepts the shipped rules and prints the version, the rule count and each rule', async () => {
    const result = await runCli(['clocks', 'check', 'policies/clocks.yaml']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /is valid: clocks clocks@[0-9a-f]{12}, 11 rules \(4 statutory, 7 target\)/);
    assert.match(result.stdout, /in-ncii-2h: 2 h statutory from 2026-02-20; IN/);
    assert.match(result.stdout, /us-take-it-down: 48 h statutory from 2026-05-19; US/);
  });

  test('explains schema errors with their lines and exits 2', async () => {
    const path = file('bad.yaml', [
      'rules:',
      DEFAULT_RULE,
      '  - { id: default, hours: 2, basis: statutory, source: { title: T, citation: C } }',
      '  - { id: lower, when: { jurisdiction: india }, hours: 2, basis: statutory, source: { title: T, citation: C } }',
      '  - { id: zero, hours: 0, basis: target, source: { title: T, citation: C } }',
      '  - { id: negative, hours: -1, basis: target, source: { title: T, citation: C } }',
      '  - { id: nosource, hours: 3, basis: target }',
      '  - { id: typo, hours: 3, basis: target, sorce: x, source: { title: T, citation: C } }',
    ]);
    const result = await runCli(['clocks', 'check', path]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /is invalid \(6 problems\)/);
    assert.match(result.stderr, new RegExp(`${path}:3:\\d+ rules\\.1\\.id: duplicate rule id "default"`));
    assert.match(result.stderr, new RegExp(`${path}:4:\\d+ rules\\.2\\.when\\.jurisdiction: use an ISO 3166-1 alpha-2 country code`));
    assert.match(result.stderr, new RegExp(`${path}:5:\\d+ rules\\.3\\.hours: a deadline must be a positive number of hours`));
    assert.match(result.stderr, new RegExp(`${path}:6:\\d+ rules\\.4\\.hours: a deadline must be a positive number of hours`));
    assert.match(result.stderr, new RegExp(`${path}:7:\\d+ rules\\.5\\.source: every rule needs a \`source\``));
    assert.match(result.stderr, new RegExp(`${path}:8:\\d+ rules\\.6: unknown field "sorce"`));
  });

  test('refuses a file without a default, bad YAML and a missing file', async () => {
    const noDefault = await runCli([
      'clocks',
      'check',
      file('nodefault.yaml', ['rules:', '  - { id: us, when: { jurisdiction: US }, hours: 48, basis: statutory, source: { title: T, citation: C } }']),
    ]);
    assert.equal(noDefault.code, 2);
    assert.match(noDefault.stderr, /no default rule/);
    const broken = await runCli(['clocks', 'check', file('broken.yaml', ['rules: [', DEFAULT_RULE])]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.yaml:\d+:\d+/);
    const missing = await runCli(['clocks', 'check', join(dir, 'absent.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*absent\.yaml: ENOENT/);
  });

  test('the server refuses to start with an invalid PERISAI_CLOCKS_FILE or a webhook URL without its secret', async () => {
    const bad = file('serve-bad.yaml', ['rules: []']);
    const db = join(dir, 'serve.db');
    const clocks = await runCli(['serve', '--port', '0', '--db', db], { env: { PERISAI_CLOCKS_FILE: bad, PERISAI_IMAGE_DETECTORS: '0' } });
    assert.equal(clocks.code, 2, clocks.stderr);
    assert.match(clocks.stderr, /clock rules file .*serve-bad\.yaml is invalid/);
    const webhook = await runCli(['serve', '--port', '0', '--db', db], {
      env: { PERISAI_WEBHOOK_URL: 'http://127.0.0.1:9/hook', PERISAI_IMAGE_DETECTORS: '0' },
    });
    assert.equal(webhook.code, 2, webhook.stderr);
    assert.match(webhook.stderr, /PERISAI_WEBHOOK_URL is set but PERISAI_WEBHOOK_SECRET is not/);
  });
});

describe('clock and webhook configuration', () => {
  test('PERISAI_CLOCK_ALERT_AT takes comma-separated fractions and refuses anything else with the variable named', () => {
    assert.deepEqual(readConfig({ PERISAI_CLOCK_ALERT_AT: '0.25, 0.5' }).clockAlertAt, [0.25, 0.5]);
    assert.equal(readConfig({}).clockAlertAt, undefined);
    for (const bad of ['1', '0', 'a quarter', '0.25,', '-0.1']) {
      assert.throws(() => readConfig({ PERISAI_CLOCK_ALERT_AT: bad }), /configuration is invalid \(clockAlertAt/, bad);
    }
  });

  test('the webhook settings: a URL needs its secret, the timeout is in seconds', () => {
    assert.throws(() => readConfig({ PERISAI_WEBHOOK_URL: 'https://platform.example/hook' }), /PERISAI_WEBHOOK_SECRET is not/);
    assert.throws(() => readConfig({ PERISAI_WEBHOOK_URL: 'ftp://platform.example/hook', PERISAI_WEBHOOK_SECRET: 'x'.repeat(16) }), /http:\/\/ or https:\/\//);
    assert.throws(() => readConfig({ PERISAI_WEBHOOK_URL: 'https://platform.example/hook', PERISAI_WEBHOOK_SECRET: 'short' }), /at least 16 characters/);
    const config = readConfig({ PERISAI_WEBHOOK_URL: 'https://platform.example/hook', PERISAI_WEBHOOK_SECRET: 'x'.repeat(16), PERISAI_WEBHOOK_TIMEOUT: '2.5' });
    assert.equal(config.webhookTimeoutSeconds, 2.5);
    assert.equal(readConfig({}).webhookTimeoutSeconds, 10);
  });

  test('the app context loads PERISAI_CLOCKS_FILE, applies PERISAI_CLOCK_ALERT_AT and registers the webhook job', async () => {
    const clocks = file('ctx.yaml', ['alerts: { remaining_fractions: [0.5] }', 'rules:', DEFAULT_RULE]);
    const ctx = await createAppContext(readConfig({ PERISAI_CLOCKS_FILE: clocks }, { db: join(dir, 'ctx.db'), imageDetectors: false }));
    try {
      assert.deepEqual(ctx.clockRules.alerts.remainingFractions, [0.5]);
      assert.equal(ctx.clockRules.rules.length, 1);
      assert.ok(ctx.jobs.kinds.includes(WEBHOOK_JOB_KIND));
      assert.equal(ctx.webhooks.configured, false);
    } finally {
      await ctx.close();
    }
    const overridden = await createAppContext(readConfig({ PERISAI_CLOCK_ALERT_AT: '0.1,0.3' }, { db: join(dir, 'ctx.db'), imageDetectors: false }));
    try {
      assert.deepEqual(overridden.clockRules.alerts.remainingFractions, [0.3, 0.1]);
      assert.match(overridden.clockRules.version, /^clocks@/);
      assert.equal(overridden.clockRules.rules.length, 11, 'the shipped rules by default');
    } finally {
      await overridden.close();
    }
  });
});
