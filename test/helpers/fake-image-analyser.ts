import { createHash } from 'node:crypto';

import type { ImageAnalyser, ImageAnalysis } from '../../src/services/ports.js';

export interface FakeImage {
  pdq?: { hash: string; quality: number };
  faces?: { count: number; ages: number[] };
  nudity?: number;
  fail?: string;
}

/**
 * An image analyser double: the "image" is any bytes, and what the detectors would see is
 * configured per content. The repository holds no sexual imagery and no image of a child, so
 * positive detections are tested this way only.
 */
export function fakeImageAnalyser(images: Map<string, FakeImage> = new Map()): ImageAnalyser & { set(bytes: Uint8Array | string, image: FakeImage): void } {
  const key = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
  return {
    detectors: ['fake-image@test'],
    set(bytes, image) {
      images.set(key(bytes), image);
    },
    async analyse(bytes: Uint8Array): Promise<ImageAnalysis> {
      const sha256 = key(bytes);
      const image = images.get(sha256) ?? {};
      return {
        summary: {
          sha256,
          bytes: bytes.byteLength,
          format: 'png',
          width: 64,
          height: 64,
          ...(image.pdq ? { pdq: image.pdq } : {}),
          faces: image.faces ?? { count: 0, ages: [] },
          nudity: image.nudity === undefined ? null : { porn: image.nudity },
        },
        observation: { faces: image.faces ?? { count: 0, ages: [] }, nudity: image.nudity ?? 0 },
        failures: image.fail ? [{ detector: 'fake', message: image.fail }] : [],
      };
    },
  };
}

/** A PDQ hex at exactly `distance` bits from `hex` (flips the lowest bits). */
export function flipBits(hex: string, distance: number): string {
  const bytes = Buffer.from(hex, 'hex');
  for (let bit = 0; bit < distance; bit += 1) bytes[31 - (bit >> 3)]! ^= 1 << (bit & 7);
  return bytes.toString('hex');
}
