import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';

import { isPerisaiError } from '../../src/domain/errors.js';
import { evidenceKeyFromBase64, openEvidence, sealEvidence } from '../../src/domain/evidence-cipher.js';

const key = evidenceKeyFromBase64(randomBytes(32).toString('base64'), 'PERISAI_EVIDENCE_KEY');

test('a key is 32 bytes of base64; anything else is a configuration error naming the setting', () => {
  for (const bad of ['', 'not base64!', randomBytes(16).toString('base64'), randomBytes(33).toString('base64')]) {
    assert.throws(
      () => evidenceKeyFromBase64(bad, 'PERISAI_EVIDENCE_KEY'),
      (error) => isPerisaiError(error) && error.code === 'invalid_config' && /PERISAI_EVIDENCE_KEY must be 32 random bytes/.test(error.message),
    );
  }
  assert.match(key.id, /^[0-9a-f]{16}$/);
});

test('sealed evidence opens with its key and id only', () => {
  const image = randomBytes(1000);
  const sealed = sealEvidence(key, 'evd_a', image);
  assert.equal(sealed.iv.length, 12);
  assert.equal(sealed.tag.length, 16);
  assert.ok(!sealed.ciphertext.equals(image));
  assert.deepEqual(openEvidence(key, 'evd_a', sealed), image);
  const unreadable = (error: unknown) => isPerisaiError(error) && error.code === 'evidence_unreadable';
  // Moved onto another row: the associated data no longer matches.
  assert.throws(() => openEvidence(key, 'evd_b', sealed), unreadable);
  const other = evidenceKeyFromBase64(randomBytes(32).toString('base64'), 'x');
  assert.throws(
    () => openEvidence(other, 'evd_a', sealed),
    (error) => unreadable(error) && String(error).includes(key.id),
  );
  // The right key id but different bytes (a forged key id): authentication fails.
  assert.throws(() => openEvidence({ ...other, id: key.id }, 'evd_a', sealed), unreadable);
  const flipped = Buffer.from(sealed.ciphertext);
  flipped[10]! ^= 0x80;
  assert.throws(() => openEvidence(key, 'evd_a', { ...sealed, ciphertext: flipped }), unreadable);
});
