import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

import { PerisaiError } from './errors.js';

/**
 * Evidence encryption: AES-256-GCM with a key that lives in configuration, never in the
 * database, so a copy of the database (a backup, a replica, a stolen dump) holds no pixels
 * anyone can see. Each item has its own random 96-bit IV; the authentication tag makes any
 * change to the ciphertext, or a key that is not the one it was sealed with, fail to open.
 */
export interface EvidenceKey {
  /** A short fingerprint of the key, stored beside each item so a wrong key is named, not guessed. */
  id: string;
  key: Buffer;
}

export interface SealedEvidence {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  keyId: string;
  /** SHA-256 of the plaintext, hex: the hash the package and the case already know the image by. */
  sha256: string;
}

/** Reads a key given as base64 of exactly 32 bytes (`openssl rand -base64 32`). */
export function evidenceKeyFromBase64(text: string, source: string): EvidenceKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new PerisaiError(
      'invalid_config',
      `${source} must be 32 random bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`); it decodes to ${key.length} bytes.`,
    );
  }
  return { id: evidenceKeyId(key), key };
}

export function evidenceKeyId(key: Buffer): string {
  return createHash('sha256').update('perisai-evidence-key-id\0').update(key).digest('hex').slice(0, 16);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The associated data binds a ciphertext to its row: the evidence id and the plaintext hash.
 * Moving a ciphertext onto another row, or editing the row's hash, makes it fail to open.
 */
function associatedData(evidenceId: string, sha256: string): Buffer {
  return Buffer.from(`perisai-evidence\0${evidenceId}\0${sha256}`, 'utf8');
}

export function sealEvidence(key: EvidenceKey, evidenceId: string, plaintext: Uint8Array): SealedEvidence {
  const sha256 = sha256Hex(plaintext);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(associatedData(evidenceId, sha256));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag(), keyId: key.id, sha256 };
}

export function openEvidence(key: EvidenceKey, evidenceId: string, sealed: SealedEvidence): Buffer {
  if (sealed.keyId !== key.id) {
    throw new PerisaiError(
      'evidence_unreadable',
      `Evidence ${evidenceId} was encrypted with evidence key ${sealed.keyId}, but the configured key is ${key.id}: configure the key it was stored with (PERISAI_EVIDENCE_KEY or PERISAI_EVIDENCE_KEY_FILE).`,
    );
  }
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.iv);
    decipher.setAAD(associatedData(evidenceId, sealed.sha256));
    decipher.setAuthTag(sealed.tag);
    plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch (error) {
    throw new PerisaiError(
      'evidence_unreadable',
      `Evidence ${evidenceId} does not decrypt with the configured key: its row was altered or the key is not the one it was stored with. Keep the row for investigation and restore it from a backup.`,
      undefined,
      { cause: error },
    );
  }
  if (sha256Hex(plaintext) !== sealed.sha256) {
    throw new PerisaiError(
      'evidence_unreadable',
      `Evidence ${evidenceId} decrypts to bytes whose SHA-256 is not the one recorded: restore the row from a backup.`,
    );
  }
  return plaintext;
}
