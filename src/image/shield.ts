import sharp from 'sharp';

/** The pixels a reviewer sees before revealing: a small, greyscale, blurred copy. */
const SHIELD = {
  blur: { width: 320, sigma: 12 },
  strong: { width: 96, sigma: 24 },
} as const;

/**
 * Makes the shielded copy on the server, so the browser never holds the clear pixels until a
 * reveal was recorded (the stylesheet blurs it again, belt and braces). The bytes come from
 * this service's own evidence store; the pixel limit still bounds the work.
 */
export async function shieldImage(bytes: Uint8Array, shield: keyof typeof SHIELD): Promise<Buffer> {
  const { width, sigma } = SHIELD[shield];
  return sharp(bytes, { limitInputPixels: 50_000_000, pages: 1 })
    .rotate()
    .resize({ width, height: width, fit: 'inside', withoutEnlargement: true })
    .blur(sigma)
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
