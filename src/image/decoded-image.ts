/**
 * The pixels every image consumer works on, produced once per image by the safe decoder.
 * Contract between `image/decode`, PDQ and the model-based detectors.
 */
export interface DecodedImage {
  /** Detected container format, e.g. "jpeg", "png", "webp", "gif", "avif". */
  format: string;
  width: number;
  height: number;
  /** Tightly packed 8-bit RGB, row-major, alpha dropped (the RGB under it kept), EXIF orientation NOT applied (as PDQ's reference does). */
  rgb: Uint8Array;
  /** EXIF orientation 1-8 as stored in the file (1 when absent); face detection applies it, PDQ ignores it. */
  orientation: number;
}
