/**
 * The visible "AI-generated" label. The letters are drawn as stroked paths, not text: the
 * machine that renders the SVG may have no fonts at all, and a missing font would silently
 * draw nothing (or boxes). White letters on a dark plate with a white rim read on light and on
 * dark images alike.
 */
import sharp from 'sharp';

import { PerisaiError } from '../domain/errors.js';

export const LABEL_TEXT = 'AI-GENERATED';

/**
 * Each glyph as polylines ("x,y x,y ...", several separated by "|") on a grid 4 units wide and
 * 6 high, y down.
 */
const GLYPHS: Record<string, string> = {
  A: '0,6 0,2 2,0 4,2 4,6|0,3.6 4,3.6',
  I: '2,0 2,6|0.8,0 3.2,0|0.8,6 3.2,6',
  '-': '0.6,3.2 3.4,3.2',
  G: '4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5 4,3.4 2.4,3.4',
  E: '4,0 0,0 0,6 4,6|0,3 3,3',
  N: '0,6 0,0 4,6 4,0',
  R: '0,6 0,0 3,0 4,1 4,2 3,3 0,3|2,3 4,6',
  T: '0,0 4,0|2,0 2,6',
  D: '0,0 0,6 3,6 4,5 4,1 3,0 0,0',
};

const GLYPH_WIDTH = 4;
const GLYPH_HEIGHT = 6;
const GLYPH_GAP = 1.8;
/** Padding around the text inside the plate, in glyph units. */
const PADDING = 2.4;
const TEXT_UNITS = LABEL_TEXT.length * GLYPH_WIDTH + (LABEL_TEXT.length - 1) * GLYPH_GAP;

export interface LabelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where the label goes on an image of this size: the bottom-left corner, its letters about a
 * twentieth of the shorter side high (at least 8 pixels), narrowed to fit a narrow image.
 */
export function labelBox(width: number, height: number): LabelBox {
  const plateUnits = { width: TEXT_UNITS + 2 * PADDING, height: GLYPH_HEIGHT + 2 * PADDING };
  const margin = Math.max(2, Math.round(Math.min(width, height) * 0.02));
  const byHeight = Math.max(8, Math.min(width, height) / 20) / GLYPH_HEIGHT;
  const byWidth = (width - 2 * margin) / plateUnits.width;
  const scale = Math.max(0.5, Math.min(byHeight, byWidth));
  const box = { width: Math.ceil(plateUnits.width * scale), height: Math.ceil(plateUnits.height * scale) };
  return { left: Math.max(0, margin), top: Math.max(0, height - margin - box.height), width: Math.min(box.width, width), height: Math.min(box.height, height) };
}

/** The label as an SVG of the box's size. */
export function labelSvg(box: Pick<LabelBox, 'width' | 'height'>): string {
  const scale = box.width / (TEXT_UNITS + 2 * PADDING);
  const stroke = Math.max(1.2, scale * 0.95);
  const rim = Math.max(1, Math.round(scale * 0.35));
  const paths: string[] = [];
  [...LABEL_TEXT].forEach((char, index) => {
    const x0 = PADDING + index * (GLYPH_WIDTH + GLYPH_GAP);
    for (const line of (GLYPHS[char] ?? '').split('|')) {
      const points = line.split(' ').map((point) => {
        const [x = 0, y = 0] = point.split(',').map(Number);
        return `${((x0 + x) * scale).toFixed(2)},${((PADDING + y) * scale).toFixed(2)}`;
      });
      paths.push(`M${points.join('L')}`);
    }
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${box.width}" height="${box.height}" viewBox="0 0 ${box.width} ${box.height}">`,
    `<rect x="${rim / 2}" y="${rim / 2}" width="${box.width - rim}" height="${box.height - rim}" rx="${(scale * 1.2).toFixed(2)}" fill="#000" fill-opacity="0.78" stroke="#fff" stroke-width="${rim}"/>`,
    `<path d="${paths.join(' ')}" fill="none" stroke="#fff" stroke-width="${stroke.toFixed(2)}" stroke-linecap="round" stroke-linejoin="round"/>`,
    '</svg>',
  ].join('');
}

/**
 * Draws the label onto an image and re-encodes it in its own format (PNG, JPEG or WebP; any
 * other becomes PNG). The EXIF orientation is applied first, so the label sits where a viewer
 * shows the bottom-left corner.
 */
export async function drawLabel(image: Uint8Array): Promise<Uint8Array> {
  try {
    const oriented = await sharp(image).rotate().toBuffer({ resolveWithObject: true });
    const { width, height, format } = oriented.info;
    const box = labelBox(width, height);
    const pipeline = sharp(oriented.data).composite([{ input: Buffer.from(labelSvg(box)), left: box.left, top: box.top }]);
    const encoded = format === 'jpeg' ? pipeline.jpeg({ quality: 92 }) : format === 'webp' ? pipeline.webp({ quality: 92 }) : pipeline.png();
    return new Uint8Array(await encoded.toBuffer());
  } catch (error) {
    throw new PerisaiError(
      'provenance_failed',
      `The image could not be labelled (${(error as Error).message}): the upstream model returned an image that cannot be decoded; retry the generation.`,
      undefined,
      { cause: error },
    );
  }
}
