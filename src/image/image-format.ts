/**
 * Container detection from magic bytes, done before any decoder sees the input: libvips
 * would happily render SVG, PDF, TIFF, FITS, Matlab or raw files, and every extra loader
 * is attack surface. Only the formats below are ever handed to sharp.
 */

export type SupportedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';

export const SUPPORTED_FORMATS: readonly SupportedFormat[] = ['jpeg', 'png', 'webp', 'gif', 'avif'];

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** AVIF is an ISO-BMFF file whose `ftyp` box names `avif`/`avis` as major or compatible brand. */
function isAvif(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return false;
  const boxSize = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16, 4096);
  const major = ascii(bytes, 8, 12);
  if (major === 'avif' || major === 'avis') return true;
  for (let off = 16; off + 4 <= end; off += 4) {
    const brand = ascii(bytes, off, off + 4);
    if (brand === 'avif' || brand === 'avis') return true;
  }
  return false;
}

/** The supported format the bytes claim to be, or null. */
export function sniffFormat(bytes: Uint8Array): SupportedFormat | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return 'png';
  }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (isAvif(b)) return 'avif';
  return null;
}

/** A short human name for what the bytes look like, for error messages only. */
export function describeUnsupported(bytes: Uint8Array): string {
  const head = ascii(bytes, 0, 256).trimStart().toLowerCase();
  if (head.startsWith('<?xml') || head.startsWith('<svg') || head.includes('<svg')) return 'SVG/XML';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'HTML';
  if (head.startsWith('%pdf')) return 'PDF';
  if (head.startsWith('ii*') || head.startsWith('mm\u0000*')) return 'TIFF';
  if (head.startsWith('bm')) return 'BMP';
  if (head.startsWith('pk\u0003\u0004')) return 'ZIP';
  if (ascii(bytes, 4, 8) === 'ftyp') return `ISO-BMFF (${ascii(bytes, 8, 12)}), e.g. HEIC`;
  return 'an unrecognised format';
}
