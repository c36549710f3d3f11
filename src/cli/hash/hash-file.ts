/**
 * Hashing of one file for `perisai hash`: read, decode, PDQ, and the output line. The same
 * function runs in the CLI's thread (one file) and in the hash workers (many files), so both
 * print identical lines and identical error messages.
 */
import { readFile } from 'node:fs/promises';

import { decodeImage } from '../../image/decode.js';
import { digestBytes } from '../../image/digests.js';
import { ImageError } from '../../image/errors.js';
import { pdqHash, pdqHashWithDihedrals } from '../../pdq/index.js';

export interface HashOptions {
  json?: boolean;
  dihedral?: boolean;
}

/** What hashing one file gave: the line to print, or the reason it could not be hashed. */
export type HashFileOutcome = { ok: true; line: string } | { ok: false; error: string };

export function describeFailure(e: unknown): string {
  if (e instanceof ImageError) return `${e.code}: ${e.message}`;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'file not found';
  if (err?.code === 'EISDIR') return 'is a directory, not an image file';
  if (err?.code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/** Never throws: a failure is an outcome, so a worker can always answer. */
export async function hashFile(file: string, opts: HashOptions): Promise<HashFileOutcome> {
  try {
    const bytes = await readFile(file);
    const img = await decodeImage(bytes);
    if (opts.json) {
      const { sha256, md5 } = digestBytes(bytes);
      const base = { width: img.width, height: img.height, file };
      if (opts.dihedral) {
        const { hashes, quality } = pdqHashWithDihedrals(img);
        return { ok: true, line: JSON.stringify({ pdq: hashes.orig, quality, sha256, md5, ...base, dihedrals: hashes }) };
      }
      const { hash, quality } = pdqHash(img);
      return { ok: true, line: JSON.stringify({ pdq: hash, quality, sha256, md5, ...base }) };
    }
    if (opts.dihedral) {
      // The reference's --pdqdih-across layout: the 8 hashes, quality, file.
      const { hashes: h, quality } = pdqHashWithDihedrals(img);
      return {
        ok: true,
        line: `${h.orig},${h.rot90},${h.rot180},${h.rot270},${h.flipx},${h.flipy},${h.flipplus1},${h.flipminus1},${quality},${file}`,
      };
    }
    const { hash, quality } = pdqHash(img);
    return { ok: true, line: `${hash},${quality},${file}` };
  } catch (e) {
    return { ok: false, error: describeFailure(e) };
  }
}
