import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

import sharp from 'sharp';

import { decodeImage, DEFAULT_DECODE_LIMITS } from '../../src/image/decode.js';
import type { ImageErrorCode } from '../../src/image/errors.js';
import { ImageError } from '../../src/image/errors.js';
import { pdqHash } from '../../src/pdq/index.js';

const DIR = fileURLToPath(new URL('../fixtures/pdq/synthetic/', import.meta.url));
const png = readFileSync(DIR + '01-plasma-300x200.png');
const jpg = readFileSync(DIR + '03-plasma-640x480.jpg');
const bigJpg = readFileSync(DIR + '05-plasma-4000x3000.jpg');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A well-formed PNG header claiming width×height RGB, with a few bytes of pixel data. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
/** The real JPEG with its SOF0 frame header patched to claim width×height. */
function jpegClaiming(width: number, height: number): Buffer {
  const b = Buffer.from(jpg);
  for (let i = 2; i < b.length - 9;) {
    if (b[i] !== 0xff) throw new Error('bad marker walk');
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      b.writeUInt16BE(height, i + 5);
      b.writeUInt16BE(width, i + 7);
      return b;
    }
    i += 2 + len;
  }
  throw new Error('no SOF');
}

async function expectCode(bytes: Uint8Array, code: ImageErrorCode, limits?: Parameters<typeof decodeImage>[1]): Promise<ImageError> {
  try {
    await decodeImage(bytes, limits);
  } catch (e) {
    assert.ok(e instanceof ImageError, `expected ImageError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.length > 20 && /:/.test(e.message), 'the message says what to fix');
    return e;
  }
  assert.fail(`decoded instead of failing with ${code}`);
}

interface Hostile {
  name: string;
  bytes: Uint8Array;
  code: ImageErrorCode;
}

async function corpus(): Promise<Hostile[]> {
  const gif = await sharp(png).gif().toBuffer();
  const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="50000" height="50000"><rect width="100%" height="100%"/></svg>');
  const tiff = await sharp(png).tiff().toBuffer();
  let seed = 42;
  const garbage = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  return [
    { name: 'zero-length', bytes: new Uint8Array(0), code: 'image_empty' },
    { name: 'PNG cut in half', bytes: png.subarray(0, png.length >> 1), code: 'image_truncated' },
    { name: 'PNG without IEND', bytes: png.subarray(0, png.length - 12), code: 'image_truncated' },
    { name: 'JPEG cut in half', bytes: jpg.subarray(0, jpg.length >> 1), code: 'image_truncated' },
    { name: 'JPEG missing its last bytes', bytes: jpg.subarray(0, jpg.length - 10), code: 'image_truncated' },
    { name: 'random bytes named photo.jpg', bytes: garbage, code: 'image_unsupported_format' },
    { name: 'PNG header claiming 50,000×50,000', bytes: pngClaiming(50_000, 50_000), code: 'image_too_many_pixels' },
    { name: 'PNG header claiming 1×2,000,000,000', bytes: pngClaiming(1, 2_000_000_000), code: 'image_too_many_pixels' },
    { name: 'JPEG SOF claiming 60,000×60,000', bytes: jpegClaiming(60_000, 60_000), code: 'image_too_many_pixels' },
    {
      name: 'polyglot: GIF header then HTML',
      bytes: Buffer.concat([Buffer.from('GIF89a'), Buffer.from('<html><body><script>alert(1)</script></body></html>')]),
      code: 'image_corrupt',
    },
    {
      name: 'polyglot: JPEG SOI then a zip',
      bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('PK\u0003\u0004 zip local header and data')]),
      code: 'image_corrupt',
    },
    { name: 'GIF cut in half', bytes: gif.subarray(0, gif.length >> 1), code: 'image_truncated' },
    { name: 'SVG (libvips would render it)', bytes: svg, code: 'image_unsupported_format' },
    { name: 'HTML', bytes: Buffer.from('<!doctype html><html><img src=x onerror=alert(1)></html>'), code: 'image_unsupported_format' },
    { name: 'TIFF', bytes: tiff, code: 'image_unsupported_format' },
    { name: 'plain text', bytes: Buffer.from('hello, this is not an image\n'), code: 'image_unsupported_format' },
  ];
}

test('every hostile file gives its ImageError code', async () => {
  for (const h of await corpus()) {
    await test(h.name, async () => {
      await expectCode(h.bytes, h.code);
    });
  }
});

test('a decompression bomb is refused from its header, naming size and limit', async () => {
  const before = process.memoryUsage().rss;
  const e = await expectCode(pngClaiming(50_000, 50_000), 'image_too_many_pixels');
  assert.equal(e.message, 'The image is 50000×50000 = 2.5 GP; the limit is 50 MP and 16384 pixels per side: resize it before sending.');
  // 50,000² RGB would be 7.5 GB; nothing close to that was allocated.
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
});

test('byte, pixel and time limits are configurable', async () => {
  const tooLarge = await expectCode(png, 'image_too_large', { maxBytes: 1000 });
  assert.match(tooLarge.message, /the limit is 1000 bytes/);
  await expectCode(png, 'image_too_many_pixels', { maxPixels: 300 * 200 - 1 });
  await expectCode(png, 'image_too_many_pixels', { maxSide: 299 });
  await expectCode(bigJpg, 'image_timeout', { timeoutMs: 1 });
  assert.equal(DEFAULT_DECODE_LIMITS.maxBytes, 20 * 1024 * 1024);
  assert.equal(DEFAULT_DECODE_LIMITS.maxPixels, 50_000_000);
});

test('supported formats decode to packed RGB; the format comes from the bytes, not the name', async () => {
  const ref = await decodeImage(png);
  assert.equal(ref.format, 'png');
  assert.equal(ref.rgb.length, 300 * 200 * 3);
  for (const [format, bytes] of [
    ['webp', await sharp(png).webp({ lossless: true }).toBuffer()],
    ['gif', await sharp(png).gif().toBuffer()],
    ['avif', await sharp(png).avif({ quality: 80 }).toBuffer()],
    ['jpeg', jpg],
  ] as const) {
    const img = await decodeImage(bytes);
    assert.equal(img.format, format);
    assert.equal(img.rgb.length, img.width * img.height * 3);
    assert.equal(img.orientation, 1);
  }
  // Lossless WebP of the same pixels hashes identically.
  const webp = await decodeImage(await sharp(png).webp({ lossless: true }).toBuffer());
  assert.deepEqual(pdqHash(webp), pdqHash(ref));
});

test('alpha is dropped keeping the colour under it; greyscale expands to RGB; EXIF orientation is reported, not applied', async () => {
  const rgba = await sharp(Buffer.from([10, 20, 30, 0, 200, 100, 50, 255]), { raw: { width: 2, height: 1, channels: 4 } })
    .png()
    .toBuffer();
  const a = await decodeImage(rgba);
  assert.deepEqual([...a.rgb], [10, 20, 30, 200, 100, 50]);
  const grey = await sharp(Buffer.from([7, 250]), { raw: { width: 2, height: 1, channels: 1 } })
    .png()
    .toBuffer();
  assert.deepEqual([...(await decodeImage(grey)).rgb], [7, 7, 7, 250, 250, 250]);
  const rotated = await sharp(png).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const r = await decodeImage(rotated);
  assert.equal(r.orientation, 6);
  assert.equal(r.width, 300); // stored orientation, not rotated
});

test('an animated GIF gives its first frame', async () => {
  const w = 8;
  const h = 8;
  const frames = Buffer.alloc(w * h * 2 * 3);
  frames.fill(255, w * h * 3); // frame 0 black, frame 1 white
  const gif = await sharp(frames, { raw: { width: w, height: h * 2, channels: 3, pageHeight: h } })
    .gif()
    .toBuffer();
  const img = await decodeImage(gif);
  assert.equal(img.height, h);
  assert.ok(img.rgb.every((v) => v === 0));
});

test('bytes appended after a complete image (zip/HTML polyglot) do not change its pixels', async () => {
  const appended = Buffer.concat([png, Buffer.from('PK\u0003\u0004<html>payload</html>')]);
  const a = await decodeImage(appended);
  const b = await decodeImage(png);
  assert.deepEqual(pdqHash(a), pdqHash(b));
});

test('decoding the hostile corpus many times keeps the process up and memory bounded', async () => {
  const files = await corpus();
  const run = async (): Promise<void> => {
    for (const h of files) {
      await assert.rejects(decodeImage(h.bytes), ImageError);
    }
  };
  await run();
  global.gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 40; i++) await run();
  global.gc?.();
  const growth = process.memoryUsage().rss - before;
  assert.ok(growth < 200 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB`);
});
