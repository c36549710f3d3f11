import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('perisai accounts', () => {
  test('shows, suspends and reinstates an account from the command line, audited as cli, with clear errors', async (t) => {
    const db = join(tempDir(t, 'perisai-accounts-'), 'accounts.db');

    const fresh = await runCli(['accounts', 'show', 'acct-c1', '--db', db]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stdout, /^acct-c1 {2}good {2}strikes: 0 active/);

    const suspended = await runCli(['accounts', 'suspend', 'acct-c1', '--reason', 'Spam run.', '--days', '3', '--json', '--db', db]);
    assert.equal(suspended.code, 0, suspended.stderr);
    const view = JSON.parse(suspended.stdout);
    assert.equal(view.standing, 'suspended');
    assert.equal(view.suspension.actor, 'cli');
    assert.equal(view.suspension.reason, 'Spam run.');

    const ctx = await createAppContext(readConfig({}, { db, imageDetectors: false }));
    try {
      const refused = await ctx.screening.screenRequest({ prompt: 'a lighthouse at dusk', subject: 'none', images: [], requester: { id: 'acct-c1' } }, 'test');
      assert.deepEqual(refused.categories, ['account_suspended']);
    } finally {
      await ctx.close();
    }

    const shown = await runCli(['accounts', 'show', 'acct-c1', '--db', db]);
    assert.match(shown.stdout, /suspended until \d{4}-/);
    assert.match(shown.stdout, /suspended\s+by cli/);

    const reinstated = await runCli(['accounts', 'reinstate', 'acct-c1', '--reason', 'Cleared.', '--db', db]);
    assert.equal(reinstated.code, 0, reinstated.stderr);
    assert.match(reinstated.stdout, /acct-c1 {2}good/);
    assert.match(reinstated.stdout, /suspension_ended\s+by cli/);

    const again = await runCli(['accounts', 'reinstate', 'acct-c1', '--reason', 'Cleared.', '--db', db]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not suspended/);
    const both = await runCli(['accounts', 'suspend', 'acct-c1', '--reason', 'x', '--days', '2', '--until', '2099-01-01T00:00:00Z', '--db', db]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either until or days/);
    const noReason = await runCli(['accounts', 'suspend', 'acct-c1', '--db', db]);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /options\.reason/);
    assert.match((await runCli(['accounts', 'show', 'bad id', '--db', db])).stderr, /account id/);
  });
});
