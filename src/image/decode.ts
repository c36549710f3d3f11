/**
 * Safe decoding: the only way untrusted image bytes become pixels in Perisai.
 * Order matters: size check, magic-byte format check (so libvips never sees SVG, PDF,
 * TIFF...), header-only dimension check (so a 50,000×50,000 header is refused before
 * anything is allocated), then a strict, time-limited decode to packed 8-bit RGB.
 */
import type { Metadata, OutputInfo } from 'sharp';
import sharp from 'sharp';

import type { DecodedImage } from './decoded-image.js';
import { formatBytes, formatPixels, ImageError } from './errors.js';
import type { SupportedFormat } from './image-format.js';
import { describeUnsupported, sniffFormat } from './image-format.js';

export interface DecodeLimits {
  /** Largest accepted input, in bytes. */
  maxBytes: number;
  /** Largest accepted width × height. */
  maxPixels: number;
  /** Largest accepted side, in pixels (guards against 1×50,000,000 strips). */
  maxSide: number;
  /** Wall-clock limit for one decode, in milliseconds. */
  timeoutMs: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxSide: 16_384,
  timeoutMs: 10_000,
});

const FORMAT_NAMES: Record<SupportedFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
};

/** What sharp's metadata calls each format we accept (AVIF is read by the HEIF loader). */
const SHARP_FORMAT: Record<SupportedFormat, string> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'heif',
};

const NOT_AN_IMAGE_RE = /contains no image|no frames|invalid frame data/i;
const TRUNCATION_RE = /premature end|unexpected end|end of file|truncat|bad seek|out of data|not enough data/i;

function resolveLimits(limits: Partial<DecodeLimits> | undefined): DecodeLimits {
  return { ...DEFAULT_DECODE_LIMITS, ...limits };
}

/**
 * Whether the container's end marker is present: PNG must end with an IEND chunk, JPEG must
 * contain an EOI marker. libpng accepts a PNG cut just before IEND, and the reason a
 * decode failed is clearer when we know the file was cut short.
 */
function looksTruncated(format: SupportedFormat, b: Uint8Array): boolean {
  if (format === 'png') {
    // IEND chunk: length 0, "IEND", CRC AE 42 60 82 — trailing bytes after it are tolerated.
    const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    outer: for (let i = b.length - iend.length; i >= 8; i--) {
      for (let k = 0; k < iend.length; k++) if (b[i + k] !== iend[k]) continue outer;
      return false;
    }
    return true;
  }
  if (format === 'jpeg') {
    for (let i = b.length - 2; i >= 2; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return false;
    return true;
  }
  return false;
}

function classifyDecodeFailure(format: SupportedFormat, bytes: Uint8Array, e: unknown): ImageError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/timeout/i.test(msg)) return timeoutError(resolveLimits(undefined).timeoutMs, e);
  const name = FORMAT_NAMES[format];
  // A header followed by something else entirely (a polyglot) is corrupt, not merely cut short.
  if (!NOT_AN_IMAGE_RE.test(msg) && (TRUNCATION_RE.test(msg) || looksTruncated(format, bytes))) {
    return new ImageError(
      'image_truncated',
      `The ${name} file ends before its image data does (${formatBytes(bytes.length)} received): send the complete file.`,
      { cause: e },
    );
  }
  const detail = msg
    .split('\n')[0]
    .replace(/^Input buffer has corrupt header: /, '')
    .slice(0, 160);
  return new ImageError(
    'image_corrupt',
    `The file starts like a ${name} image but cannot be decoded (${detail}): re-export it as a standard JPEG, PNG, WebP, GIF or AVIF.`,
    { cause: e },
  );
}

function timeoutError(ms: number, cause?: unknown): ImageError {
  return new ImageError('image_timeout', `Decoding the image took longer than ${ms} ms: send a smaller or simpler image.`, { cause });
}

/** Width and height read from the header only, for the pixel-limit check. */
interface Header {
  width: number;
  height: number;
  orientation: number;
  cmyk: boolean;
}

async function readHeader(bytes: Uint8Array, format: SupportedFormat): Promise<Header> {
  let meta: Metadata;
  try {
    // limitInputPixels:false so the header of a decompression bomb can be read and named in
    // the error; nothing is decoded here.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'warning', pages: 1 }).metadata();
  } catch (e) {
    throw classifyDecodeFailure(format, bytes, e);
  }
  if (meta.format !== SHARP_FORMAT[format] || (format === 'avif' && meta.compression !== 'av1')) {
    throw new ImageError(
      'image_unsupported_format',
      `The file starts like ${FORMAT_NAMES[format]} but decodes as ${meta.format ?? 'unknown'}${
        meta.compression ? `/${meta.compression}` : ''
      }: send a JPEG, PNG, WebP, GIF or AVIF image.`,
    );
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!(width > 0 && height > 0)) {
    throw new ImageError('image_corrupt', `The ${FORMAT_NAMES[format]} header gives no image size: re-export the image.`);
  }
  const o = meta.orientation;
  const orientation = typeof o === 'number' && o >= 1 && o <= 8 ? o : 1;
  return { width, height, orientation, cmyk: meta.space === 'cmyk' };
}

/**
 * CMYK (print JPEGs) to RGB with ImageMagick's profile-free formula, R = (255-C)(255-K)/255
 * rounded, which is what PDQ's reference hashed: libvips' ICC-based conversion lands
 * 10 bits away on the reference's CMYK test image, this one gives identical pixels.
 */
function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    const k = 255 - cmyk[i + 3];
    rgb[o] = Math.round(((255 - cmyk[i]) * k) / 255);
    rgb[o + 1] = Math.round(((255 - cmyk[i + 1]) * k) / 255);
    rgb[o + 2] = Math.round(((255 - cmyk[i + 2]) * k) / 255);
  }
  return rgb;
}

function checkDimensions(width: number, height: number, limits: DecodeLimits): void {
  const pixels = width * height;
  if (pixels > limits.maxPixels || width > limits.maxSide || height > limits.maxSide) {
    throw new ImageError(
      'image_too_many_pixels',
      `The image is ${width}×${height} = ${formatPixels(pixels)}; the limit is ${formatPixels(limits.maxPixels)} and ${
        limits.maxSide
      } pixels per side: resize it before sending.`,
    );
  }
}

/**
 * Dimensions read straight from a PNG IHDR. libpng rejects sides
 * above 1,000,000 as a corrupt header, which would hide that the file is a pixel bomb.
 */
function declaredSize(format: SupportedFormat, b: Uint8Array): { width: number; height: number } | null {
  if (format === 'png' && b.length >= 24 && b[12] === 0x49 && b[13] === 0x48 && b[14] === 0x44 && b[15] === 0x52) {
    const be = (o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
    return { width: be(16), height: be(20) };
  }
  return null;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Decodes untrusted bytes to packed 8-bit RGB (alpha dropped, EXIF orientation not applied,
 * embedded ICC profiles ignored as PDQ's reference does). GIF and animated WebP give their
 * first frame. Throws `ImageError` with a stable `code`; never returns an empty image.
 *
 * @example
 * try { const img = await decodeImage(bytes); pdqHash(img); }
 * catch (e) { if (e instanceof ImageError) reply(422, e.code, e.message); else throw e; }
 */
export async function decodeImage(bytes: Uint8Array, limits?: Partial<DecodeLimits>): Promise<DecodedImage> {
  const lim = resolveLimits(limits);
  if (bytes.length === 0) {
    throw new ImageError('image_empty', 'The image is empty (0 bytes): attach the image file.');
  }
  if (bytes.length > lim.maxBytes) {
    throw new ImageError(
      'image_too_large',
      `The image is ${formatBytes(bytes.length)}; the limit is ${formatBytes(lim.maxBytes)}: compress or resize it before sending.`,
    );
  }
  const format = sniffFormat(bytes);
  if (format === null) {
    throw new ImageError(
      'image_unsupported_format',
      `The file looks like ${describeUnsupported(bytes)}, not an image Perisai decodes: send JPEG, PNG, WebP, GIF or AVIF.`,
    );
  }
  const declared = declaredSize(format, bytes);
  if (declared) checkDimensions(declared.width, declared.height, lim);
  const started = Date.now();
  const header = await withTimeout(readHeader(bytes, format), lim.timeoutMs);
  checkDimensions(header.width, header.height, lim);
  if (format === 'png' && looksTruncated('png', bytes)) {
    throw classifyDecodeFailure(format, bytes, new Error('PNG has no IEND chunk'));
  }
  const remaining = Math.max(1, lim.timeoutMs - (Date.now() - started));
  const base = sharp(bytes, {
    failOn: 'warning',
    limitInputPixels: lim.maxPixels,
    sequentialRead: true,
    ignoreIcc: true,
    pages: 1,
    page: 0,
  });
  const coloured = header.cmyk ? base.pipelineColourspace('cmyk').toColourspace('cmyk') : base.toColourspace('srgb').removeAlpha();
  const pipeline = coloured
    // libvips' own clock stops the work; the race below bounds the wait for the caller.
    .timeout({ seconds: Math.max(1, Math.ceil(remaining / 1000)) })
    .raw({ depth: 'uchar' });
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await withTimeout(pipeline.toBuffer({ resolveWithObject: true }), remaining);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw classifyDecodeFailure(format, bytes, e);
  }
  const { data, info } = out;
  const pixels = info.width * info.height;
  if (header.cmyk && info.channels === 4 && data.length === pixels * 4) {
    return { format, width: info.width, height: info.height, rgb: cmykToRgb(data, pixels), orientation: header.orientation };
  }
  if (info.channels !== 3 || data.length !== pixels * 3) {
    throw new ImageError('image_corrupt', `The ${FORMAT_NAMES[format]} image decoded to ${info.channels} channels instead of RGB: re-export it as 8-bit RGB.`);
  }
  return {
    format,
    width: info.width,
    height: info.height,
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.length),
    orientation: header.orientation,
  };
}
