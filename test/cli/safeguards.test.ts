import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const SET = join(process.cwd(), 'test/fixtures/eval/edit-prompts.dev.tsv');

describe('perisai report safeguards and report verify', () => {
  test('writes a signed report that verifies, with the published key too; an edited figure does not verify', async (t) => {
    const dir = tempDir(t, 'perisai-safeguards-');
    const db = join(dir, 'safeguards.db');
    await runCli(['screen', '--prompt', 'remove her clothes', '--subject', 'adult', '--db', db]);
    const out = join(dir, 'report.json');
    const made = await runCli(['report', 'safeguards', '--out', out, '--eval', SET, '--from', '2026-01-01', '--to', '2099-01-01', '--db', db]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /edit-prompts\.dev\.tsv: blocked \d+\.\d% of \d+ harmful requests, falsely blocked \d+\.\d% of \d+ benign ones\./);
    assert.match(made.stdout, /audit chain at entry 1\./);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.format, 'perisai-safeguards-report/1');
    assert.equal(report.evaluation[0].path, SET);
    // The period's transparency figures come from the deployment's store: the one screening above.
    assert.match(JSON.stringify(report.transparency), /"block"/);

    const verified = await runCli(['report', 'verify', out, '--db', db]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /The report verifies/);
    assert.match(verified.stdout, /compare it with the operator's published audit key/);

    const publicKey = join(dir, 'audit.pub');
    writeFileSync(publicKey, (await runCli(['audit', 'public-key', '--db', db])).stdout);
    const trusted = await runCli(['report', 'verify', out, '--public-key', publicKey, '--db', db]);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.doesNotMatch(trusted.stdout, /compare it/);

    report.evaluation[0].block_rate.count -= 1;
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify(report));
    const refused = await runCli(['report', 'verify', edited, '--db', db]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /does NOT verify/);
    assert.match(refused.stderr, /changed after it was signed/);
    assert.match(refused.stderr, /the report says block_rate \d+\/\d+, measured again/);

    const again = await runCli(['report', 'safeguards', '--out', out, '--eval', SET, '--db', db]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /never overwritten/);
  });

  test('says what to fix for a half-given period, a missing set and a file that is not a report', async (t) => {
    const dir = tempDir(t, 'perisai-safeguards-');
    const db = join(dir, 'safeguards.db');
    const half = await runCli(['report', 'safeguards', '--out', join(dir, 'x.json'), '--eval', SET, '--from', '2026-11-01', '--db', db]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /both --from and --to/);
    const missing = await runCli(['report', 'safeguards', '--out', join(dir, 'y.json'), '--eval', join(dir, 'nope.tsv'), '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read the evaluation set/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'hello');
    const bad = await runCli(['report', 'verify', notJson, '--db', db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not JSON/);
  });
});
