import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('perisai cases', () => {
  test('lists the queue, shows a case and acts on it from the command line, with clear errors', async (t) => {
    const db = join(tempDir(t, 'perisai-cases-'), 'cases.db');
    const ctx = await createAppContext(readConfig({}, { db, imageDetectors: false }));
    const receipt = await ctx.reports.submit(
      { reporter: { type: 'depicted_person', email: 'a@example.org' }, jurisdiction: 'US', category: 'ncii', content: { id: 'post-5' }, non_consensual: true },
      { authenticated: false, actor: 'public' },
    );
    await ctx.close();

    const listed = await runCli(['cases', 'list', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${receipt.case_id}\\s+open\\s+US ncii .*us-take-it-down`));
    const json = await runCli(['cases', 'list', '--json', '--state', 'open', '--db', db]);
    assert.equal(JSON.parse(json.stdout.trim()).id, receipt.case_id);
    assert.match((await runCli(['cases', 'list', '--state', 'closed', '--db', db])).stdout, /No cases match/);

    const acted = await runCli(['cases', 'act', receipt.case_id, '{"type":"remove","reason":"NCII under our policy."}', '--json', '--db', db]);
    assert.equal(acted.code, 0, acted.stderr);
    assert.equal(JSON.parse(acted.stdout).state, 'actioned');
    const shown = await runCli(['cases', 'show', receipt.case_id, '--db', db]);
    assert.match(shown.stdout, /actioned/);
    assert.match(shown.stdout, /remove\s+by cli/);
    assert.match(shown.stdout, /webhook content\.remove undeliverable/);

    const refused = await runCli(['cases', 'act', receipt.case_id, '{"type":"remove","reason":"again"}', '--db', db]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /actioned cannot take the action "remove"/);
    const notJson = await runCli(['cases', 'act', receipt.case_id, 'remove', '--db', db]);
    assert.match(notJson.stderr, /The action is not JSON/);
    const badState = await runCli(['cases', 'list', '--state', 'stuck', '--db', db]);
    assert.equal(badState.code, 2);
    assert.match(badState.stderr, /state/);
    assert.match((await runCli(['cases', 'show', 'nope', '--db', db])).stderr, /must be a case id/);
  });
});
