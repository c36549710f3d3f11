import type { RgbFrame } from './orientation.js';

/**
 * Area-average (box) downscale of packed RGB to exactly `tw` x `th`. Done in plain JS before
 * any tensor exists: a 12-megapixel photo as an int32 tensor would take 145 MB and most of
 * the inference time, while the models only look at 224-256 px. Averaging (rather than the
 * bilinear sampling tfjs does) avoids aliasing on large downscales. Upscaling falls back to
 * nearest neighbour, which is enough for the tiny images it concerns.
 */
export function resizeRgb(frame: RgbFrame, tw: number, th: number): RgbFrame {
  const { rgb, width: w, height: h } = frame;
  if (tw === w && th === h) return frame;
  const out = new Uint8Array(tw * th * 3);
  const sx = w / tw;
  const sy = h / th;
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor(ty * sy);
    const y1 = Math.max(y0 + 1, Math.min(h, Math.floor((ty + 1) * sy)));
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor(tx * sx);
      const x1 = Math.max(x0 + 1, Math.min(w, Math.floor((tx + 1) * sx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y++) {
        let i = (y * w + x0) * 3;
        for (let x = x0; x < x1; x++, i += 3) {
          r += rgb[i];
          g += rgb[i + 1];
          b += rgb[i + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const d = (ty * tw + tx) * 3;
      out[d] = Math.round(r / n);
      out[d + 1] = Math.round(g / n);
      out[d + 2] = Math.round(b / n);
    }
  }
  return { rgb: out, width: tw, height: th };
}

/** Scale so the longer side is at most `maxSide`, keeping the aspect ratio; never upscales. */
export function fitWithin(frame: RgbFrame, maxSide: number): RgbFrame {
  const long = Math.max(frame.width, frame.height);
  if (long <= maxSide) return frame;
  const k = maxSide / long;
  return resizeRgb(frame, Math.max(1, Math.round(frame.width * k)), Math.max(1, Math.round(frame.height * k)));
}
