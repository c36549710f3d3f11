/**
 * The evidence key: 32 random bytes that encrypt kept evidence (AES-256-GCM) and never enter
 * the database. From `PERISAI_EVIDENCE_KEY` (base64, e.g. from a secret manager) or a file
 * holding the same (`PERISAI_EVIDENCE_KEY_FILE`, owner-only). Unlike the audit key it is never
 * created on its own: without one, no pixels are kept at all, which is the safe default for a
 * deployment that has not decided who holds the key.
 */
import { readFileSync, statSync } from 'node:fs';

import type { Config } from './config.js';
import { PerisaiError } from './domain/errors.js';
import { type EvidenceKey, evidenceKeyFromBase64 } from './domain/evidence-cipher.js';

export function loadEvidenceKey(config: Pick<Config, 'evidenceKey' | 'evidenceKeyFile'>): EvidenceKey | null {
  if (config.evidenceKey) return evidenceKeyFromBase64(config.evidenceKey, 'PERISAI_EVIDENCE_KEY');
  const path = config.evidenceKeyFile;
  if (!path) return null;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new PerisaiError(
      'invalid_config',
      `The evidence key file ${path} cannot be read: create it with \`openssl rand -base64 32 > ${path} && chmod 600 ${path}\`, or unset PERISAI_EVIDENCE_KEY_FILE.`,
    );
  }
  // A key others can read is not a secret any more (as for the audit key).
  if ((mode & 0o077) !== 0) {
    throw new PerisaiError(
      'invalid_config',
      `The evidence key ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${path}\`.`,
    );
  }
  return evidenceKeyFromBase64(readFileSync(path, 'utf8'), path);
}
