/**
 * The audit key: an Ed25519 key that signs audit checkpoints and never enters the database, so
 * whoever controls the database cannot forge a checkpoint. From `PERISAI_AUDIT_KEY` (the
 * private key as PEM, e.g. from a secret manager), or a file (`PERISAI_AUDIT_KEY_FILE`; by
 * default `audit-key.pem` next to the SQLite file, or in `data/` with PostgreSQL), created on
 * first use with owner-only permissions.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { Config } from './config.js';
import type { AuditCheckpoint, CheckpointSigner } from './domain/audit-checkpoint.js';
import { PerisaiError } from './domain/errors.js';

export interface AuditKey extends CheckpointSigner {
  /** Where it came from, for the start-up line: the file path, or the variable's name. */
  readonly source: string;
  readonly created: boolean;
}

/** Where the key file lives when `PERISAI_AUDIT_KEY_FILE` does not say. */
export function defaultAuditKeyPath(db: string): string {
  const dir = db.startsWith('postgres://') || db.startsWith('postgresql://') || db === ':memory:' ? 'data' : dirname(db);
  return join(dir, 'audit-key.pem');
}

export function loadAuditKey(config: Pick<Config, 'db' | 'auditKey' | 'auditKeyFile'>): AuditKey {
  if (config.auditKey) return { ...fromPem(config.auditKey, 'PERISAI_AUDIT_KEY'), source: 'PERISAI_AUDIT_KEY', created: false };
  const path = config.auditKeyFile ?? defaultAuditKeyPath(config.db);
  let pem: string;
  try {
    const mode = statSync(path).mode;
    // Like ssh with a private key: a key others can read is not a secret any more.
    if ((mode & 0o077) !== 0) {
      throw new PerisaiError(
        'invalid_config',
        `The audit key ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${path}\`.`,
      );
    }
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { ...createKeyFile(path), source: path, created: true };
  }
  return { ...fromPem(pem, path), source: path, created: false };
}

function createKeyFile(path: string): CheckpointSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx': never overwrite a key another process created a moment ago.
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fromPem(readFileSync(path, 'utf8'), path);
    throw error;
  }
  return { privateKey, publicKey };
}

function fromPem(pem: string, source: string): CheckpointSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new PerisaiError(
      'invalid_config',
      `The audit key in ${source} is not a PEM private key: give an Ed25519 key in PKCS#8 PEM, or remove it to have one created.`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new PerisaiError('invalid_config', `The audit key in ${source} is a ${privateKey.asymmetricKeyType} key: audit checkpoints need an Ed25519 key.`);
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Reads a public key (PEM, SPKI) an auditor was given. */
export function readPublicKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new PerisaiError('invalid_arguments', `Cannot read the public key file ${path}: check the path.`);
  }
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    throw new PerisaiError('invalid_arguments', `${path} is not an Ed25519 public key in PEM: use the file \`perisai audit public-key\` prints.`);
  }
}

/** Where the server appends its checkpoints when `PERISAI_AUDIT_CHECKPOINT_FILE` does not say: beside the key. */
export function defaultCheckpointPath(config: Pick<Config, 'db' | 'auditKeyFile'>): string {
  return join(dirname(config.auditKeyFile ?? defaultAuditKeyPath(config.db)), 'audit-checkpoints.jsonl');
}

/**
 * Appends one checkpoint as a JSON line. Append-only so the file is a history: an operator
 * ships it off the machine (or points the path at storage the database's owner cannot write).
 */
export function appendCheckpoint(path: string, checkpoint: AuditCheckpoint): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(checkpoint)}\n`, { mode: 0o644 });
}

/** The entry count of the last checkpoint in the file, or undefined when there is none yet. */
export function lastCheckpointSeq(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const last = text.trimEnd().split('\n').pop();
  if (!last) return undefined;
  try {
    const seq = (JSON.parse(last) as { seq?: unknown }).seq;
    return typeof seq === 'number' ? seq : undefined;
  } catch {
    return undefined;
  }
}
