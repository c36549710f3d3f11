/**
 * Browsers now always apply EXIF orientation when decoding (createImageBitmap's
 * `imageOrientation: 'none'` was redefined to mean `from-image`), while the server hashes the
 * stored pixels as PDQ's reference does. So before decoding, a copy of the file gets its EXIF
 * orientation set to 1 (as stored): a two-byte change inside the EXIF block of a JPEG (APP1),
 * WebP (EXIF chunk) or PNG (eXIf chunk, whose CRC is then recomputed). The photo itself is
 * untouched and the copy never leaves the page.
 */
const ORIENTATION_TAG = 0x0112;

/** Sets the orientation entry of the TIFF block at `start` to 1; true when there was one to change. */
function patchTiff(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false;
  const little = bytes[start] === 0x49 && bytes[start + 1] === 0x49;
  const big = bytes[start] === 0x4d && bytes[start + 1] === 0x4d;
  if (!little && !big) return false;
  const u16 = (at: number) => (little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
  const u32 = (at: number) => (little ? (u16(at) | (u16(at + 2) << 16)) >>> 0 : ((u16(at) << 16) | u16(at + 2)) >>> 0);
  const ifd = start + u32(start + 4);
  if (ifd + 2 > end) return false;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return false;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    if (u16(entry + 8) === 1) return false;
    // A SHORT value sits in the first two bytes of the value field.
    bytes[entry + 8] = little ? 1 : 0;
    bytes[entry + 9] = little ? 0 : 1;
    return true;
  }
  return false;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const be32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const le32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function patchJpeg(b: Uint8Array): boolean {
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    if (marker === 0xda || marker === 0xd9) return false; // image data starts: no more metadata
    const length = (b[at + 2]! << 8) | b[at + 3]!;
    const exif = b[at + 4] === 0x45 && b[at + 5] === 0x78 && b[at + 6] === 0x69 && b[at + 7] === 0x66 && b[at + 8] === 0 && b[at + 9] === 0;
    if (marker === 0xe1 && exif && patchTiff(b, at + 10, Math.min(b.length, at + 2 + length))) return true;
    at += 2 + length;
  }
  return false;
}

function patchPng(b: Uint8Array): boolean {
  let at = 8;
  while (at + 12 <= b.length) {
    const length = be32(b, at);
    const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    if (type === 'IDAT' || type === 'IEND') return false;
    const data = at + 8;
    if (type === 'eXIf' && data + length + 4 <= b.length && patchTiff(b, data, data + length)) {
      const crc = crc32(b, at + 4, data + length);
      b[data + length] = crc >>> 24;
      b[data + length + 1] = (crc >>> 16) & 0xff;
      b[data + length + 2] = (crc >>> 8) & 0xff;
      b[data + length + 3] = crc & 0xff;
      return true;
    }
    at = data + length + 4;
  }
  return false;
}

function patchWebp(b: Uint8Array): boolean {
  let at = 12;
  while (at + 8 <= b.length) {
    const type = String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    const length = le32(b, at + 4);
    const data = at + 8;
    if (type === 'EXIF') {
      // Some writers keep JPEG's "Exif\0\0" prefix inside the chunk.
      const prefixed = b[data] === 0x45 && b[data + 1] === 0x78 && b[data + 2] === 0x69 && b[data + 3] === 0x66;
      return patchTiff(b, prefixed ? data + 6 : data, Math.min(b.length, data + length));
    }
    at = data + length + (length & 1);
  }
  return false;
}

/** The file's bytes with EXIF orientation 1, or the file itself when it has no other orientation. */
export async function withStoredOrientation(file: Blob): Promise<Blob> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isWebp = bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46 && bytes[8] === 0x57 && bytes[9] === 0x45;
  const patched = isJpeg ? patchJpeg(bytes) : isPng ? patchPng(bytes) : isWebp ? patchWebp(bytes) : false;
  return patched ? new Blob([bytes], { type: file.type }) : file;
}
