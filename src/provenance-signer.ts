/**
 * The C2PA signer of this deployment: the configured certificate and key
 * (`PERISAI_C2PA_CERT_FILE`, `PERISAI_C2PA_KEY_FILE`), or else the development signer, created on
 * first use as `c2pa-dev-signer.pem` beside the audit key (owner-only) and reused afterwards.
 * The development signer's name says it is not for production, and `perisai serve` warns.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { defaultAuditKeyPath } from './audit-key.js';
import type { Config } from './config.js';
import type { Clock } from './domain/clock.js';
import { PerisaiError } from './domain/errors.js';
import {
  certificateName,
  createDevelopmentSigner,
  DEVELOPMENT_SIGNER_CN,
  isDevelopmentCertificate,
  parseCredentials,
  type SignerCredentials,
} from './provenance/credentials.js';
import type { ClaimGenerator } from './provenance/manifest.js';
import { checkCredentials, type SignerSource } from './provenance/marker.js';

type SignerConfig = Pick<Config, 'db' | 'auditKeyFile' | 'c2paCertFile' | 'c2paKeyFile'>;

export interface LoadedSigner {
  credentials: SignerCredentials;
  /** Where it came from, for the start-up line. */
  source: string;
  /** The development signer was created when this was loaded (by a lazy signer: at its first use). */
  created: boolean;
}

/** Where the development signer lives: beside the audit key. */
export function developmentSignerPath(config: Pick<Config, 'db' | 'auditKeyFile'>): string {
  return join(dirname(config.auditKeyFile ?? defaultAuditKeyPath(config.db)), 'c2pa-dev-signer.pem');
}

/** Who will sign, without creating anything: read from the certificate when it exists. */
export function signerInfo(config: SignerConfig): { subject: string; development: boolean } {
  const path = config.c2paCertFile ?? developmentSignerPath(config);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if (config.c2paCertFile === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return { subject: DEVELOPMENT_SIGNER_CN, development: true };
    throw unreadable(path, error);
  }
  const credentials = parseCredentials(pem, config.c2paKeyFile ? readKeyFile(config.c2paKeyFile) : pem, sources(config, path));
  return { subject: certificateName(credentials.certificate), development: isDevelopmentCertificate(credentials.certificate) };
}

/**
 * Loads the configured signer, or the development one (creating it on first use), and checks
 * that it can sign a manifest C2PA accepts; a certificate it cannot use is `invalid_config`.
 */
export async function loadSigner(config: SignerConfig, clock: Clock, generator: ClaimGenerator): Promise<LoadedSigner> {
  let loaded: LoadedSigner;
  if (config.c2paCertFile !== undefined && config.c2paKeyFile !== undefined) {
    let pem: string;
    try {
      pem = readFileSync(config.c2paCertFile, 'utf8');
    } catch (error) {
      throw unreadable(config.c2paCertFile, error);
    }
    const credentials = parseCredentials(pem, readKeyFile(config.c2paKeyFile), sources(config, config.c2paCertFile));
    loaded = { credentials, source: config.c2paCertFile, created: false };
  } else {
    const path = developmentSignerPath(config);
    const created = await ensureDevelopmentSigner(path, clock);
    const pem = readKeyFile(path);
    loaded = { credentials: parseCredentials(pem, pem, { certificate: path, key: path }), source: path, created };
  }
  const problems = await checkCredentials(loaded.credentials, generator);
  if (problems.length > 0) {
    throw new PerisaiError(
      'invalid_config',
      `The C2PA signing certificate in ${loaded.source} cannot sign manifests: ${problems.join(' ')} Configure a certificate issued for document signing (PERISAI_C2PA_CERT_FILE, PERISAI_C2PA_KEY_FILE).`,
    );
  }
  return loaded;
}

/** A signer source that loads on first use and keeps the result (a failure is retried next time). */
export function lazySigner(config: SignerConfig, clock: Clock, generator: ClaimGenerator): SignerSource & { load(): Promise<LoadedSigner> } {
  let pending: Promise<LoadedSigner> | undefined;
  const load = (): Promise<LoadedSigner> => {
    pending ??= loadSigner(config, clock, generator).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
  let info: { subject: string; development: boolean } | undefined;
  return {
    load,
    info: () => (info ??= signerInfo(config)),
    credentials: async () => (await load()).credentials,
  };
}

/** Creates the development signer file unless it exists; true when this call created it. */
async function ensureDevelopmentSigner(path: string, clock: Clock): Promise<boolean> {
  try {
    statSync(path);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pem = await createDevelopmentSigner(clock.now());
  mkdirSync(dirname(path), { recursive: true });
  // Written whole under another name, then linked into place: a process starting at the same
  // moment sees no file or a complete one, and the first link wins (the loser reads the winner's).
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, pem, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Reads a private key file, refusing one others can read (like ssh, and like the audit key). */
function readKeyFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw unreadable(path, error);
  }
  if ((mode & 0o077) !== 0) {
    throw new PerisaiError(
      'invalid_config',
      `The C2PA signing key ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${path}\`.`,
    );
  }
  return readFileSync(path, 'utf8');
}

function sources(config: SignerConfig, certificate: string): { certificate: string; key: string } {
  return { certificate, key: config.c2paKeyFile ?? certificate };
}

function unreadable(path: string, error: unknown): PerisaiError {
  return new PerisaiError(
    'invalid_config',
    `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path and its permissions.`,
  );
}
