/**
 * `perisai hash FILE...`: PDQ of each file, printed like the reference `pdq-photo-hasher`
 * (`pdq_hex,quality,file`), or one JSON object per line with --json. A file that cannot be
 * read or decoded is reported on stderr and makes the exit code non-zero; the others are
 * still hashed. Never prints an all-zero hash for a broken file.
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

function describeFailure(e: unknown): string {
  if (e instanceof ImageError) return `${e.code}: ${e.message}`;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'file not found';
  if (err?.code === 'EISDIR') return 'is a directory, not an image file';
  if (err?.code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/**
 * @returns the exit code: 0 when every file was hashed, 1 otherwise.
 * @example await hashFiles(['a.jpg'], { json: true }, console.log)
 */
export async function hashFiles(
  paths: string[],
  opts: HashOptions,
  out: (line: string) => void,
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  let failed = 0;
  for (const file of paths) {
    try {
      const bytes = await readFile(file);
      const img = await decodeImage(bytes);
      if (opts.json) {
        const { sha256, md5 } = digestBytes(bytes);
        const base = { width: img.width, height: img.height, file };
        if (opts.dihedral) {
          const { hashes, quality } = pdqHashWithDihedrals(img);
          out(JSON.stringify({ pdq: hashes.orig, quality, sha256, md5, ...base, dihedrals: hashes }));
        } else {
          const { hash, quality } = pdqHash(img);
          out(JSON.stringify({ pdq: hash, quality, sha256, md5, ...base }));
        }
      } else if (opts.dihedral) {
        // The reference's --pdqdih-across layout: the 8 hashes, quality, file.
        const { hashes, quality } = pdqHashWithDihedrals(img);
        out(
          `${hashes.orig},${hashes.rot90},${hashes.rot180},${hashes.rot270},${hashes.flipx},${hashes.flipy},${hashes.flipplus1},${hashes.flipminus1},${quality},${file}`,
        );
      } else {
        const { hash, quality } = pdqHash(img);
        out(`${hash},${quality},${file}`);
      }
    } catch (e) {
      failed++;
      err(`perisai hash: ${file}: ${describeFailure(e)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}
