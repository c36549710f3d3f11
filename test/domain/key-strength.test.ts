import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import fc from 'fast-check';

import { estimatedBits, keyWeakness, MIN_KEY_LENGTH } from '../../src/domain/key-strength.js';
import { runCli } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';

describe('chosen key strength', () => {
  test('random base64 and hex secrets of 32 bytes / 32 hex digits and more are always accepted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), (bytes) => {
        assert.equal(keyWeakness(Buffer.from(bytes).toString('base64')), undefined);
        assert.equal(keyWeakness(Buffer.from(bytes).toString('base64url')), undefined);
      }),
      { numRuns: 500 },
    );
    for (let i = 0; i < 200; i++) assert.equal(keyWeakness(randomBytes(24).toString('hex')), undefined);
  });

  test('short, repeated, sequential and wordy secrets are refused with advice', () => {
    const cases: Array<[string, RegExp]> = [
      ['psk_test_admin_key_0123456789', /is 29 characters long; it must be at least 32/],
      ['a'.repeat(64), /looks guessable \(about 0 bits/],
      ['abcdefghijklmnopqrstuvwxyz0123456789', /run of consecutive characters/],
      ['passwordpasswordpasswordpassword', /looks guessable/],
      ['ab'.repeat(40), /run of consecutive characters/],
      ['qwer'.repeat(10), /looks guessable/],
    ];
    for (const [secret, message] of cases) {
      const weakness = keyWeakness(secret);
      assert.match(weakness ?? 'accepted', message, secret);
      assert.match(weakness!, /openssl rand -base64 32/);
    }
    assert.ok(estimatedBits('a'.repeat(MIN_KEY_LENGTH)) === 0);
  });
});

describe('PERISAI_ADMIN_KEY at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perisai-adminkey-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a weak key stops the server before it listens, saying how to make a good one', async () => {
    const result = await runCli(['serve', '--port', '0', '--db', join(dir, 'weak.db')], {
      env: { PERISAI_ADMIN_KEY: 'hunter2hunter2hunter2', PERISAI_IMAGE_DETECTORS: '0', PERISAI_AUDIT_KEY_FILE: join(dir, 'weak-key.pem') },
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /PERISAI_ADMIN_KEY is 21 characters long; it must be at least 32/);
    assert.doesNotMatch(result.stdout + result.stderr, /running on/);
  });

  test('a strong key is registered and never printed; only its id is', async () => {
    const secret = randomBytes(32).toString('base64');
    const server = await startServerProcess(join(dir, 'strong.db'), { PERISAI_ADMIN_KEY: secret });
    try {
      assert.match(server.output(), /PERISAI_ADMIN_KEY was registered as admin key key_[0-9a-f]{8}/);
      assert.equal(server.output().includes(secret), false);
      const screened = await fetch(`${server.url}/v1/screen`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'make the sky bluer' }),
      });
      assert.equal(screened.status, 200);
    } finally {
      await server.stop();
    }
  });
});
