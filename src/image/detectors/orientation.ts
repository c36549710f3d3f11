/**
 * EXIF orientation for packed RGB. PDQ hashes the stored pixels (as the reference does), but
 * face detectors only find upright faces, so they must see the image as a viewer shows it.
 */

export interface RgbFrame {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/**
 * Returns the frame as displayed for EXIF `orientation` 1-8 (1, or any unknown value, returns
 * the input unchanged without copying).
 *
 * For each displayed pixel (x, y) we compute its stored source pixel; orientations 5-8 swap
 * the axes. Values follow the EXIF 2.3 definition (6 = rotate 90° clockwise to display).
 */
export function applyOrientation(frame: RgbFrame, orientation: number): RgbFrame {
  if (orientation < 2 || orientation > 8 || !Number.isInteger(orientation)) return frame;
  const { rgb, width: w, height: h } = frame;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          sy = y;
          break; // mirror horizontal
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break; // rotate 180
        case 4:
          sx = x;
          sy = h - 1 - y;
          break; // mirror vertical
        case 5:
          sx = y;
          sy = x;
          break; // transpose
        case 6:
          sx = y;
          sy = h - 1 - x;
          break; // rotate 90 CW
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break; // transverse
        default:
          sx = w - 1 - y;
          sy = x;
          break; // 8: rotate 90 CCW
      }
      const s = (sy * w + sx) * 3;
      const d = (y * ow + x) * 3;
      out[d] = rgb[s];
      out[d + 1] = rgb[s + 1];
      out[d + 2] = rgb[s + 2];
    }
  }
  return { rgb: out, width: ow, height: oh };
}
