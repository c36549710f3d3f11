import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

import { z } from 'zod';

import { checkpointSchema, type CheckpointSigner, publicKeyId } from './audit-checkpoint.js';
import { canonicalJson } from './canonical-json.js';

/**
 * A safeguards report: what a regulator asks for before lifting a block, in one signed file.
 * Which policy, detectors and clock rules run; how often they block what they must and what
 * they must not, measured there and then on named evaluation sets (named by content hash, so
 * anyone holding the sets can re-run them); the audit chain's signed head; the period's
 * transparency figures. Signed with the audit key (Ed25519), which never enters the database.
 */
export const SAFEGUARDS_FORMAT = 'perisai-safeguards-report/1';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

const rateSchema = z.strictObject({
  count: z.number().int().min(0),
  of: z.number().int().min(0),
  rate: z.number().min(0).max(1).nullable(),
});

export const evaluationFiguresSchema = z.strictObject({
  /** The set's file, as given to the command (relative paths resolve from where it ran). */
  path: z.string().min(1),
  sha256: sha256Hex,
  rows: z.number().int().min(0),
  /** Rows labelled block that were blocked. */
  block_rate: rateSchema,
  /** Rows labelled allow that were not allowed (blocked or held for review). */
  false_block_rate: rateSchema,
});
export type EvaluationFigures = z.infer<typeof evaluationFiguresSchema>;

export const safeguardsReportSchema = z.strictObject({
  format: z.literal(SAFEGUARDS_FORMAT),
  generated_at: z.string().min(1),
  software: z.strictObject({ name: z.string(), version: z.string() }),
  policy: z.strictObject({
    version: z.string().min(1),
    /** SHA-256 of the policy's canonical JSON: what the rules mean, whatever the file's layout. */
    sha256: sha256Hex,
  }),
  clocks: z.strictObject({ version: z.string().min(1) }),
  detectors: z.strictObject({
    text: z.string().min(1),
    text_model: z.string().nullable(),
    image: z.array(z.string()),
  }),
  evaluation: z.array(evaluationFiguresSchema),
  /** A signed checkpoint of the audit chain at the time of the report (length and head hash). */
  audit_chain: checkpointSchema,
  period: z.strictObject({ from: z.string(), to: z.string() }).nullable(),
  /** The period's transparency figures, as `perisai report transparency` gives them; null without a period. */
  transparency: z.record(z.string(), z.unknown()).nullable(),
  key_id: sha256Hex,
  /** The Ed25519 public key, SPKI DER in base64. */
  public_key: z.string().min(1),
  /** Ed25519 over the canonical JSON of every other field. */
  signature: z.string().min(1),
});
export type SafeguardsReport = z.infer<typeof safeguardsReportSchema>;
export type UnsignedSafeguardsReport = Omit<SafeguardsReport, 'key_id' | 'public_key' | 'signature'>;

function signedBytes(report: Omit<SafeguardsReport, 'signature'>): Buffer {
  return Buffer.from(canonicalJson({ ...report }), 'utf8');
}

export function signSafeguardsReport(signer: CheckpointSigner, report: UnsignedSafeguardsReport): SafeguardsReport {
  const withKey = {
    ...report,
    key_id: publicKeyId(signer.publicKey),
    public_key: signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
  return { ...withKey, signature: sign(null, signedBytes(withKey), signer.privateKey).toString('base64') };
}

export type SignatureCheck = { ok: true; keyId: string } | { ok: false; message: string };

/**
 * Checks the signature. With `trusted` (the operator's published audit public key), the report
 * must be signed by that key; without it, only by the key it carries, which proves the file is
 * unchanged since signing but not who signed it: the caller says so.
 */
export function checkSafeguardsSignature(report: SafeguardsReport, trusted?: KeyObject): SignatureCheck {
  let carried: KeyObject;
  try {
    carried = createPublicKey({ key: Buffer.from(report.public_key, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, message: 'The report carries a public key that cannot be read: the file was altered.' };
  }
  if (publicKeyId(carried) !== report.key_id) return { ok: false, message: 'The report names one key and carries another: the file was altered.' };
  if (trusted && publicKeyId(trusted) !== report.key_id) {
    return {
      ok: false,
      message: `The report was signed by key ${report.key_id.slice(0, 16)}…, not by the trusted audit key (${publicKeyId(trusted).slice(0, 16)}…).`,
    };
  }
  const { signature, ...unsigned } = report;
  return verify(null, signedBytes(unsigned), trusted ?? carried, Buffer.from(signature, 'base64'))
    ? { ok: true, keyId: report.key_id }
    : { ok: false, message: 'The signature does not verify: the report was changed after it was signed.' };
}

/**
 * The differences between the figures a report states and the figures measured again, as
 * sentences. The pipeline is deterministic, so any difference means the report, the sets or
 * the deployment are not what the report says.
 */
export function compareEvaluation(stated: readonly EvaluationFigures[], measured: readonly EvaluationFigures[]): string[] {
  const problems: string[] = [];
  for (const claim of stated) {
    const again = measured.find((figures) => figures.sha256 === claim.sha256);
    if (!again) {
      problems.push(`${claim.path}: not measured again (the set with SHA-256 ${claim.sha256.slice(0, 16)}… was not found).`);
      continue;
    }
    if (again.rows !== claim.rows) problems.push(`${claim.path}: the report says ${claim.rows} rows, the set has ${again.rows}.`);
    for (const key of ['block_rate', 'false_block_rate'] as const) {
      const [a, b] = [claim[key], again[key]];
      if (a.count !== b.count || a.of !== b.of || a.rate !== b.rate) {
        problems.push(`${claim.path}: the report says ${key} ${a.count}/${a.of}, measured again ${b.count}/${b.of}.`);
      }
    }
  }
  return problems;
}
