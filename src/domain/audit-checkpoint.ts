import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

import { z } from 'zod';

import { canonicalJson } from './canonical-json.js';

/**
 * A signed statement "the audit chain had `seq` entries and its entry `seq` hashed to
 * `headHash`", kept outside the database. Whoever can rewrite the database can recompute the
 * whole chain, so the chain alone proves nothing against its owner; a checkpoint signed with a
 * key the database never holds does: a restored older copy has fewer entries than the
 * checkpoint, and a recomputed chain has another hash at `seq`.
 */
export const CHECKPOINT_FORMAT = 'perisai-audit-checkpoint/1';

export const checkpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  seq: z.number().int().min(0),
  head_hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  created_at: z.string().min(1),
  /** SHA-256 of the public key (SPKI DER), hex: which key signed it. */
  key_id: z.string().regex(/^[0-9a-f]{64}$/),
  /** The Ed25519 public key, SPKI DER in base64: a verifier can check the signature without the private key. */
  public_key: z.string().min(1),
  /** Ed25519 over the canonical JSON of every other field. */
  signature: z.string().min(1),
});

export type AuditCheckpoint = z.infer<typeof checkpointSchema>;

export interface CheckpointSigner {
  /** The Ed25519 private key. */
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function signedBytes(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  return Buffer.from(canonicalJson({ ...checkpoint }), 'utf8');
}

export function signCheckpoint(signer: CheckpointSigner, head: { seq: number; hash: string }, createdAt: string): AuditCheckpoint {
  const unsigned = {
    format: CHECKPOINT_FORMAT,
    seq: head.seq,
    head_hash: head.hash,
    created_at: createdAt,
    key_id: publicKeyId(signer.publicKey),
    public_key: signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  } as const;
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), signer.privateKey).toString('base64') };
}

export type CheckpointSignatureCheck = { ok: true } | { ok: false; message: string };

/**
 * Checks the signature with the key the verifier trusts, never with the key the file carries:
 * anyone can sign a checkpoint with a key of their own.
 */
export function checkCheckpointSignature(checkpoint: AuditCheckpoint, trusted: KeyObject): CheckpointSignatureCheck {
  const trustedId = publicKeyId(trusted);
  if (checkpoint.key_id !== trustedId) {
    return {
      ok: false,
      message: `The checkpoint was signed by key ${checkpoint.key_id.slice(0, 16)}…, not by this deployment's audit key (${trustedId.slice(0, 16)}…).`,
    };
  }
  let carried: KeyObject;
  try {
    carried = createPublicKey({ key: Buffer.from(checkpoint.public_key, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, message: 'The checkpoint carries a public key that cannot be read: the file was altered.' };
  }
  if (publicKeyId(carried) !== trustedId)
    return { ok: false, message: 'The checkpoint names the audit key but carries another public key: the file was altered.' };
  const { signature, ...unsigned } = checkpoint;
  const valid = verify(null, signedBytes(unsigned), trusted, Buffer.from(signature, 'base64'));
  return valid
    ? { ok: true }
    : { ok: false, message: 'The checkpoint signature does not verify with the audit key: the file was altered after it was signed.' };
}
