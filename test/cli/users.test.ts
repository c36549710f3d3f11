import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'perisai-users-'));
const db = join(dir, 'users.db');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Signs in through the service over the same file, as the server would. */
async function canSignIn(email: string, password: string): Promise<boolean> {
  const ctx = await createAppContext(readConfig({}, { db, imageDetectors: false }));
  try {
    await ctx.consoleUsers.login(email, password, { address: '127.0.0.1' });
    return true;
  } catch {
    return false;
  } finally {
    await ctx.close();
  }
}

describe('perisai users', () => {
  test('create reads the password from stdin when piped, and it signs in', async () => {
    const result = await runCli(['users', 'create', 'Reviewer@Example.org', '--role', 'reviewer', '--db', db], { stdin: 'a long piped passphrase\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '', 'a password the person chose is never echoed');
    assert.match(result.stderr, /Created reviewer reviewer@example\.org/);
    assert.equal(await canSignIn('reviewer@example.org', 'a long piped passphrase'), true);
  });

  test('create with nothing piped generates a password and prints it once', async () => {
    const result = await runCli(['users', 'create', 'admin@example.org', '--role', 'admin', '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    const password = result.stdout.trim();
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.match(result.stderr, /shown only once/);
    assert.equal(await canSignIn('admin@example.org', password), true);
  });

  test('a bad role, a bad email, a short password or a duplicate is refused with exit 2 or 1 and a reason', async () => {
    const role = await runCli(['users', 'create', 'x@example.org', '--role', 'boss', '--db', db]);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /--role: one of reviewer, admin \(not boss\)/);
    const none = await runCli(['users', 'create', 'x@example.org', '--db', db]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--role/);
    const email = await runCli(['users', 'create', 'not-an-email', '--role', 'reviewer', '--db', db]);
    assert.equal(email.code, 2);
    assert.match(email.stderr, /email address/);
    const short = await runCli(['users', 'create', 'y@example.org', '--role', 'reviewer', '--db', db], { stdin: 'short\n' });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /password must be at least 12/);
    const twice = await runCli(['users', 'create', 'reviewer@example.org', '--role', 'admin', '--db', db]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /exists already/);
  });

  test('list shows role and status; disable stops sign-in', async () => {
    const disabled = await runCli(['users', 'disable', 'reviewer@example.org', '--db', db]);
    assert.equal(disabled.code, 0, disabled.stderr);
    const listed = await runCli(['users', 'list', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^admin@example\.org\tadmin\tactive\t/);
    assert.match(lines[1]!, /^reviewer@example\.org\treviewer\tdisabled\t/);
    assert.equal(await canSignIn('reviewer@example.org', 'a long piped passphrase'), false);
    const unknown = await runCli(['users', 'disable', 'nobody@example.org', '--db', db]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No console user/);
  });
});
