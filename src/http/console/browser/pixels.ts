/**
 * The pixels the server hashes, obtained in the browser. The server (src/image/decode.ts) hands
 * PDQ the stored pixels as 8-bit sRGB: EXIF orientation NOT applied (see orientation.ts), embedded ICC profiles
 * ignored, alpha dropped with the colour under it kept; any downsampling happens inside
 * src/pdq itself, in TypeScript. So the browser must decode without orientation, without colour
 * management and without premultiplying, at full size, and leave the rest to the same PDQ code.
 */
import { withStoredOrientation } from './orientation.js';

export interface BrowserPixels {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Some pixel is not fully opaque: a 2D canvas stores colour premultiplied, so those pixels may be off by rounding. */
  translucent: boolean;
}

export async function decodeForPdq(file: Blob): Promise<BrowserPixels> {
  const bitmap = await createImageBitmap(await withStoredOrientation(file), {
    imageOrientation: 'none',
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const { width, height } = bitmap;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    // willReadFrequently keeps the canvas in memory on the CPU: no GPU round trip, no dithering.
    const context = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
    if (!context) throw new Error('this browser gives no 2D canvas');
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    let translucent = false;
    for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
      rgb[o] = rgba[i]!;
      rgb[o + 1] = rgba[i + 1]!;
      rgb[o + 2] = rgba[i + 2]!;
      if (rgba[i + 3]! !== 255) translucent = true;
    }
    return { width, height, rgb, translucent };
  } finally {
    bitmap.close();
  }
}

/** SHA-256 of the file's bytes, so an exact copy matches even when its PDQ quality is low; none outside a secure context. */
export async function sha256Of(file: Blob): Promise<string | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
