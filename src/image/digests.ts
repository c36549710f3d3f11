/** Cryptographic digests of the exact bytes received (exact-match banks, the generation ledger). */
import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of the bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Lowercase hex MD5 of the bytes; only for interoperating with legacy MD5 hash lists. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export interface ByteDigests {
  sha256: string;
  md5: string;
}

export function digestBytes(bytes: Uint8Array): ByteDigests {
  return { sha256: sha256Hex(bytes), md5: md5Hex(bytes) };
}
