/**
 * Detector contract and real-model tests. The real models load from the npm packages' own
 * files with the network blocked; they are checked for loading, speed and for staying quiet
 * on benign synthetic images. Positive detections are tested only with the
 * FixedScoreDetector: this repository never holds sexual imagery or images of real children.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Sharp } from 'sharp';
import sharp from 'sharp';

import type { DecodedImage } from '../../src/image/decoded-image.js';
import { HumanFaceDetector } from '../../src/image/detectors/face-detector.js';
import { FixedScoreDetector, NEUTRAL_NUDITY } from '../../src/image/detectors/fixed-score-detector.js';
import { NsfwDetector } from '../../src/image/detectors/nsfw-detector.js';
import { applyOrientation } from '../../src/image/detectors/orientation.js';
import { CHALLENGE_AGE, possibleMinor } from '../../src/image/detectors/possible-minor.js';
import { resizeRgb } from '../../src/image/detectors/resize.js';
import { runDetectors } from '../../src/image/detectors/run-detectors.js';
import type { FaceSignals, ImageDetector } from '../../src/image/detectors/types.js';
import { createDetectorPool } from '../../src/image/pool/detector-pool.js';

async function raw(input: Sharp, format = 'png', orientation = 1): Promise<DecodedImage> {
  const { data, info } = await input.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { format, width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), orientation };
}

/** Benign synthetic images: noise, smooth gradients, flat shapes, stripes, a flat grey. */
async function benignImages(): Promise<Array<[string, DecodedImage]>> {
  const w = 1024;
  const h = 768;
  const gradient = new Uint8Array(w * h * 3);
  const plasma = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      gradient[i] = (x * 255) / w;
      gradient[i + 1] = (y * 255) / h;
      gradient[i + 2] = 128;
      // Deterministic "plasma": sums of sines, no randomness so results are reproducible.
      const v = Math.sin(x / 37) + Math.sin(y / 23) + Math.sin((x + y) / 51) + Math.sin(Math.hypot(x - 400, y - 300) / 29);
      plasma[i] = 128 + 31 * v;
      plasma[i + 1] = 128 + 31 * Math.sin(v * 2);
      plasma[i + 2] = 128 - 31 * v;
    }
  }
  const shapes = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">
    <rect width="800" height="600" fill="#2a6f97"/><circle cx="200" cy="200" r="120" fill="#f4d35e"/>
    <rect x="420" y="260" width="300" height="200" fill="#ee964b" transform="rotate(12 570 360)"/>
    <polygon points="100,550 300,350 500,550" fill="#0d3b66"/></svg>`);
  const stripes = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="640">
    <defs><pattern id="p" width="40" height="40" patternUnits="userSpaceOnUse"><rect width="20" height="40" fill="#111"/><rect x="20" width="20" height="40" fill="#eee"/></pattern></defs>
    <rect width="640" height="640" fill="url(#p)"/></svg>`);
  return [
    ['gradient', { format: 'png', width: w, height: h, rgb: gradient, orientation: 1 }],
    ['plasma', { format: 'png', width: w, height: h, rgb: plasma, orientation: 1 }],
    ['shapes', await raw(sharp(shapes))],
    ['stripes', await raw(sharp(stripes))],
    ['grey', await raw(sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } }))],
  ];
}

describe('possibleMinor ("Challenge 25")', () => {
  const faces = (...ages: number[]): FaceSignals => ({ count: ages.length, faces: ages.map((age) => ({ box: [0, 0, 10, 10], score: 0.9, age })) });
  it('flags any face that looks under 25', () => {
    assert.equal(CHALLENGE_AGE, 25);
    assert.equal(possibleMinor(faces(40, 24.9)), true);
    assert.equal(possibleMinor(faces(25, 60)), false);
    assert.equal(possibleMinor(faces()), false);
    assert.equal(possibleMinor(faces(19), 18), false);
  });
  it('treats a missing age as possibly a minor and unknown faces as unknown', () => {
    assert.equal(possibleMinor(faces(Number.NaN)), true);
    assert.equal(possibleMinor(null), null);
  });
});

describe('runDetectors', () => {
  const img: DecodedImage = { format: 'png', width: 2, height: 2, rgb: new Uint8Array(12), orientation: 1 };
  it('merges signals and turns a throwing detector into a failure, never a clean result', async () => {
    const faces: FaceSignals = { count: 1, faces: [{ box: [0, 0, 2, 2], score: 0.8, age: 17 }] };
    const s = await runDetectors([new FixedScoreDetector({ nudity: NEUTRAL_NUDITY }), new FixedScoreDetector({ fail: 'model exploded' })], img);
    assert.deepEqual(s.nudity, NEUTRAL_NUDITY);
    assert.equal(s.faces, null);
    assert.deepEqual(s.failures, [{ detector: 'fixed', code: 'error', message: 'model exploded' }]);
    const t = await runDetectors([new FixedScoreDetector({ faces })], img);
    assert.deepEqual(t, { nudity: null, faces, failures: [] });
    assert.equal(possibleMinor(t.faces), true);
  });
});

describe('image geometry helpers', () => {
  it('applies EXIF orientations 1-8 exactly as libvips does', async () => {
    const source = await raw(sharp({ create: { width: 7, height: 4, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }));
    for (let o = 1; o <= 8; o++) {
      const jpeg = await sharp(source.rgb, { raw: { width: 7, height: 4, channels: 3 } })
        .png()
        .withMetadata({ orientation: o })
        .toBuffer();
      const expected = await raw(sharp(jpeg).rotate());
      const stored = await raw(sharp(jpeg));
      const mine = applyOrientation(stored, o);
      assert.equal(mine.width, expected.width, `orientation ${o}`);
      assert.deepEqual(Buffer.from(mine.rgb), Buffer.from(expected.rgb), `orientation ${o}`);
    }
  });
  it('area-averages when shrinking', () => {
    const rgb = new Uint8Array([0, 0, 0, 200, 100, 50, 100, 100, 100, 100, 100, 100]);
    assert.deepEqual([...resizeRgb({ rgb, width: 2, height: 2 }, 1, 1).rgb], [100, 75, 63]);
  });
});

describe('real models (local files only, network blocked)', { timeout: 60_000 }, () => {
  const realFetch = globalThis.fetch;
  const fetched: string[] = [];
  let detectors: ImageDetector[] = [];
  let images: Array<[string, DecodedImage]> = [];

  before(async () => {
    globalThis.fetch = (async (input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : String(input);
      fetched.push(url);
      throw new Error(`network access attempted: ${url}`);
    }) as typeof fetch;
    images = await benignImages();
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await Promise.all(detectors.map((d) => d.close?.()));
  });

  it('load from the packages without any fetch', async () => {
    const nsfw = await NsfwDetector.create();
    const faces = await HumanFaceDetector.create();
    detectors = [nsfw, faces];
    assert.deepEqual(fetched, []);
    assert.match(nsfw.version, /MobileNetV2/);
    console.log(`# load: nudity ${nsfw.loadMs.toFixed(0)} ms, faces ${faces.loadMs.toFixed(0)} ms`);
  });

  it('keep porn + hentai low and find no faces on benign synthetic images', async () => {
    for (const [name, img] of images) {
      const t0 = performance.now();
      const s = await runDetectors(detectors, img);
      const ms = performance.now() - t0;
      assert.deepEqual(s.failures, [], name);
      assert.ok(s.nudity && s.faces, name);
      const sum = s.nudity.drawing + s.nudity.hentai + s.nudity.neutral + s.nudity.porn + s.nudity.sexy;
      assert.ok(Math.abs(sum - 1) < 1e-3, `${name}: probabilities sum to ${sum}`);
      console.log(
        `# ${name} ${img.width}x${img.height}: porn ${s.nudity.porn.toFixed(3)} hentai ${s.nudity.hentai.toFixed(3)} sexy ${s.nudity.sexy.toFixed(3)} faces ${JSON.stringify(s.faces.faces)} (${ms.toFixed(0)} ms)`,
      );
      assert.ok(s.nudity.porn + s.nudity.hentai < 0.2, `${name}: porn+hentai ${s.nudity.porn + s.nudity.hentai}`);
      assert.equal(s.faces.count, 0, name);
    }
    assert.deepEqual(fetched, []);
  });

  it('give the same answer whatever the EXIF orientation says, for faces and nudity', async () => {
    const [, img] = images[2];
    for (const orientation of [3, 6, 8]) {
      const s = await runDetectors(detectors, { ...img, orientation });
      assert.deepEqual(s.failures, []);
      assert.equal(s.faces?.count, 0);
    }
  });

  it('run in the default worker pool (the production path) with the same answers', async () => {
    const pool = createDetectorPool({ size: 1, timeoutMs: 20_000 });
    try {
      await pool.ready();
      assert.deepEqual(
        pool.stats().detectors.map((d) => d.name),
        ['nudity', 'faces'],
      );
      const [name, img] = images[1];
      const inThread = await runDetectors(detectors, img);
      const inWorker = await pool.analyse(img);
      assert.deepEqual(inWorker.failures, [], name);
      assert.equal(inWorker.faces?.count, 0);
      assert.ok(Math.abs((inWorker.nudity?.porn ?? 1) - (inThread.nudity?.porn ?? 0)) < 1e-6);
    } finally {
      await pool.close();
    }
  });
});
