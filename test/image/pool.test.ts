import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { DecodedImage } from '../../src/image/decoded-image.js';
import type { DetectorPool } from '../../src/image/pool/detector-pool.js';
import { createDetectorPool } from '../../src/image/pool/detector-pool.js';
import { PoolBusyError, PoolClosedError } from '../../src/image/pool/errors.js';

const SCRIPTED = new URL('../fixtures/workers/scripted-worker.ts', import.meta.url);
const FIXED = new URL('../fixtures/workers/fixed-score-worker.ts', import.meta.url);

function image(format = 'png', r = 10, g = 30): DecodedImage {
  const rgb = new Uint8Array(8 * 8 * 3);
  rgb[0] = r;
  rgb[1] = g;
  return { format, width: 8, height: 8, rgb, orientation: 1 };
}

describe('detector pool', () => {
  const pools: DetectorPool[] = [];
  function pool(opts: Parameters<typeof createDetectorPool>[0]): DetectorPool {
    const p = createDetectorPool({ workerModule: SCRIPTED, ...opts });
    pools.push(p);
    return p;
  }
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('answers each caller with its own image under concurrency', async () => {
    const p = pool({ size: 2, queueLimit: 64 });
    await p.ready();
    const inputs = Array.from({ length: 40 }, (_, i) => image(i % 5 === 0 ? 'slow' : 'png', i * 6, i));
    const results = await Promise.all(inputs.map((img) => p.analyse(img)));
    results.forEach((s, i) => {
      assert.deepEqual(s.failures, []);
      assert.equal(s.nudity?.porn, (i * 6) / 255);
      assert.equal(s.faces?.faces[0].age, i);
    });
    assert.equal(p.stats().replaced, 0);
  });

  it('copies by default and moves the pixels with transfer: true', async () => {
    const p = pool({ size: 1 });
    const kept = image('png', 51);
    assert.equal((await p.analyse(kept)).nudity?.porn, 0.2);
    assert.equal(kept.rgb.length, 8 * 8 * 3);
    const moved = image('png', 51);
    const pending = p.analyse(moved, { transfer: true });
    assert.equal(moved.rgb.length, 0, 'detached at the call');
    assert.equal((await pending).nudity?.porn, 0.2);
  });

  it('reports a crashed worker as a failure, replaces it and carries on', async () => {
    const p = pool({ size: 1 });
    await p.ready();
    for (const format of ['crash', 'throw-async']) {
      const s = await p.analyse(image(format));
      assert.equal(s.nudity, null);
      assert.equal(s.faces, null);
      assert.equal(s.failures[0].code, 'crashed', format);
      assert.equal(s.failures[0].detector, 'pool');
    }
    const after = await p.analyse(image('png', 255));
    assert.deepEqual(after.failures, []);
    assert.equal(after.nudity?.porn, 1);
    assert.equal(p.stats().replaced, 2);
  });

  it('times out a hung worker, replaces it, and other requests still succeed', async () => {
    const p = pool({ size: 2, timeoutMs: 400 });
    await p.ready();
    const [hung, ok] = await Promise.all([p.analyse(image('hang')), p.analyse(image('png', 102))]);
    assert.equal(hung.failures[0].code, 'timeout');
    assert.equal(hung.nudity, null);
    assert.deepEqual(ok.failures, []);
    assert.equal((await p.analyse(image('png', 102))).nudity?.porn, 0.4);
    assert.equal(p.stats().replaced, 1);
  });

  it('reports a detector that throws as an error failure without losing the worker', async () => {
    const p = pool({ size: 1 });
    const s = await p.analyse(image('fail'));
    assert.deepEqual(s.failures, [{ detector: 'scripted', code: 'error', message: 'scripted failure' }]);
    assert.equal(s.nudity, null);
    assert.equal(p.stats().replaced, 0);
  });

  it('rejects at once with PoolBusyError when the queue is full', async () => {
    const p = pool({ size: 1, queueLimit: 2 });
    await p.ready();
    const accepted = [p.analyse(image('slow')), p.analyse(image('slow')), p.analyse(image('slow'))]; // 1 running + 2 queued
    const t0 = performance.now();
    await assert.rejects(p.analyse(image()), (err: unknown) => {
      assert.ok(err instanceof PoolBusyError);
      assert.equal(err.code, 'detector_busy');
      assert.ok(err.retryAfterSeconds >= 1 && err.retryAfterSeconds <= 30);
      return true;
    });
    assert.ok(performance.now() - t0 < 50, 'rejected without waiting');
    for (const s of await Promise.all(accepted)) assert.deepEqual(s.failures, []);
  });

  it('fails closed with "unavailable" when the detectors cannot start', async () => {
    const p = pool({ size: 1, workerOptions: { failStart: true } });
    await assert.rejects(p.ready(), /model files missing/);
    const s = await p.analyse(image());
    assert.equal(s.failures[0].code, 'unavailable');
    assert.match(s.failures[0].message, /model files missing/);
  });

  it('runs the FixedScoreDetector in a worker', async () => {
    const nudity = { drawing: 0, hentai: 0.1, neutral: 0.05, porn: 0.8, sexy: 0.05 };
    const faces = { count: 1, faces: [{ box: [1, 2, 3, 4] as [number, number, number, number], score: 0.9, age: 16 }] };
    const p = pool({ size: 1, workerModule: FIXED, workerOptions: { nudity, faces } });
    assert.deepEqual(await p.analyse(image()), { nudity, faces, failures: [] });
    assert.deepEqual(p.stats().detectors, [{ name: 'fixed', version: 'fixed-1' }]);
  });

  it('close() ends every worker and settles pending work as unavailable', async () => {
    const p = createDetectorPool({ workerModule: SCRIPTED, size: 2, queueLimit: 8 });
    await p.ready();
    const pending = [p.analyse(image('slow')), p.analyse(image('slow')), p.analyse(image('slow'))];
    await p.close();
    for (const s of await Promise.all(pending)) assert.equal(s.failures[0].code, 'unavailable');
    assert.equal(p.stats().ready, 0);
    assert.equal(p.stats().busy, 0);
    await assert.rejects(p.analyse(image()), PoolClosedError);
  });
});
