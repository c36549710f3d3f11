/**
 * A pool of worker threads running the image detectors off the HTTP event loop.
 *
 * Guarantees the policy relies on (fail closed):
 * - `analyse` never resolves with signals that look like a clean result when a detector did
 *   not run: a crashed worker, a hung one (timeout), a worker whose models failed to load or a
 *   pool closed mid-flight all resolve with `nudity: null, faces: null` and a `failures` entry.
 * - A crashed or hung worker is terminated and replaced; other requests carry on.
 * - A full queue rejects at once with `PoolBusyError` (503 + Retry-After at the edge) instead
 *   of letting latency grow for everyone.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';

import { siblingModule, startWorker } from '../../runtime/worker-entry.js';
import type { DecodedImage } from '../decoded-image.js';
import type { DetectorFailure, ImageSignals } from '../detectors/types.js';
import { PoolBusyError, PoolClosedError } from './errors.js';
import type { AnalyseRequest, WorkerMessage, WorkerStartData } from './protocol.js';

export interface DetectorPoolOptions {
  /** Number of worker threads (default `os.availableParallelism()`). */
  size?: number;
  /** Images allowed to wait for a worker; one more is refused with `PoolBusyError` (default 4 × size). */
  queueLimit?: number;
  /** Longest time one image may spend in a worker before it is killed and replaced (default 10 000 ms). */
  timeoutMs?: number;
  /** Longest time a worker may take to load its models (default 60 000 ms). */
  startupTimeoutMs?: number;
  /** Module exporting `createDetectors` (default: the real models, `model-worker.ts`/`.js`). */
  workerModule?: string | URL;
  /** Passed to the module's `createDetectors` (must be structured-cloneable). */
  workerOptions?: unknown;
  /** Per-worker V8 heap cap, so one runaway image cannot take the process down (default 512 MB). */
  maxOldGenerationSizeMb?: number;
}

export interface AnalyseOptions {
  /**
   * Move the pixel buffer to the worker instead of copying it. The caller's `img.rgb` is then
   * detached (length 0) as soon as `analyse` is called; only use it once you are done with the
   * pixels. Default false: the pixels are copied exactly once, and that copy is transferred.
   */
  transfer?: boolean;
}

export interface DetectorPoolStats {
  size: number;
  ready: number;
  busy: number;
  queued: number;
  /** Workers replaced after a crash, a timeout or a failed start. */
  replaced: number;
  /** Detector names and versions reported by the workers, once one is ready. */
  detectors: Array<{ name: string; version: string }>;
  /** Model load time of the most recent worker start, in ms. */
  lastLoadMs: number | null;
}

export interface DetectorPool {
  analyse(img: DecodedImage, options?: AnalyseOptions): Promise<ImageSignals>;
  /** Resolves once at least one worker has loaded its models; rejects if startup failed. */
  ready(): Promise<void>;
  stats(): DetectorPoolStats;
  /** Ends every worker; pending and in-flight images resolve with an `unavailable` failure. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  image: DecodedImage;
  resolve(signals: ImageSignals): void;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job?: Job;
  timer?: NodeJS.Timeout;
  /** Set when the pool itself ended this worker, so its exit is not counted as a crash. */
  endedBy?: 'timeout' | 'startup' | 'close';
  lastError?: string;
}

// worker-host.js and model-worker.js in the build, their .ts sources under tests (see worker-entry.ts).
const WORKER_HOST = siblingModule(import.meta.url, 'worker-host');
const DEFAULT_WORKER_MODULE = siblingModule(import.meta.url, 'model-worker');
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Starts the workers (they load their models in the background) and returns the pool.
 *
 * @example
 * const pool = createDetectorPool({ size: 2, queueLimit: 8, timeoutMs: 5000 });
 * await pool.ready();
 * try {
 *   const signals = await pool.analyse(decoded);
 *   if (signals.failures.length > 0) { ... fail closed ... }
 * } catch (err) {
 *   if (err instanceof PoolBusyError) reply.code(503).header('Retry-After', err.retryAfterSeconds);
 * }
 * await pool.close();
 */
export function createDetectorPool(options: DetectorPoolOptions = {}): DetectorPool {
  const size = Math.max(1, options.size ?? os.availableParallelism());
  const queueLimit = Math.max(0, options.queueLimit ?? size * 4);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  const workerModule = String(options.workerModule ?? DEFAULT_WORKER_MODULE);
  const startData: WorkerStartData = { workerModule, workerOptions: options.workerOptions };
  const heapMb = options.maxOldGenerationSizeMb ?? 512;

  const slots = new Set<Slot>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let replaced = 0;
  let consecutiveStartFailures = 0;
  let lastStartError: string | null = null;
  let detectors: Array<{ name: string; version: string }> = [];
  let lastLoadMs: number | null = null;
  /** Moving average of the time one image takes in a worker, for Retry-After. */
  let avgJobMs = 250;
  let readyWaiters: Array<{ resolve(): void; reject(err: Error): void }> = [];
  const restartTimers = new Set<NodeJS.Timeout>();

  function failure(code: DetectorFailure['code'], message: string): ImageSignals {
    return { nudity: null, faces: null, failures: [{ detector: 'pool', code, message }] };
  }

  function spawn(): void {
    if (closed) return;
    const worker = startWorker(WORKER_HOST, {
      workerData: startData,
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, state: 'starting' };
    slots.add(slot);
    slot.timer = setTimeout(() => {
      slot.endedBy = 'startup';
      slot.lastError = `worker did not load its detectors within ${startupTimeoutMs} ms`;
      void worker.terminate();
    }, startupTimeoutMs);

    worker.on('message', (msg: WorkerMessage) => onMessage(slot, msg));
    worker.on('error', (err) => {
      slot.lastError = err.message;
    });
    worker.on('messageerror', (err) => {
      slot.lastError = `message error: ${err.message}`;
      void worker.terminate();
    });
    worker.on('exit', (code) => onExit(slot, code));
  }

  function onMessage(slot: Slot, msg: WorkerMessage): void {
    if (msg.type === 'ready') {
      clearTimeout(slot.timer);
      slot.state = 'idle';
      consecutiveStartFailures = 0;
      lastStartError = null;
      detectors = msg.detectors;
      lastLoadMs = msg.loadMs;
      for (const w of readyWaiters) w.resolve();
      readyWaiters = [];
      pump();
    } else if (msg.type === 'init_error') {
      slot.endedBy = 'startup';
      slot.lastError = msg.message;
      void slot.worker.terminate();
    } else if (msg.type === 'result') {
      const job = slot.job;
      if (!job || job.id !== msg.id) return; // a late answer for a job already failed by timeout
      clearTimeout(slot.timer);
      slot.job = undefined;
      slot.state = 'idle';
      avgJobMs = avgJobMs * 0.8 + msg.ms * 0.2;
      job.resolve(msg.signals);
      pump();
    }
  }

  function onExit(slot: Slot, exitCode: number): void {
    clearTimeout(slot.timer);
    const wasStarting = slot.state === 'starting';
    slot.state = 'dead';
    slots.delete(slot);
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      if (slot.endedBy === 'timeout') job.resolve(failure('timeout', `image analysis exceeded ${timeoutMs} ms; worker replaced`));
      else if (slot.endedBy === 'close') job.resolve(failure('unavailable', 'detector pool closed'));
      else job.resolve(failure('crashed', `detector worker exited (code ${exitCode})${slot.lastError ? `: ${slot.lastError}` : ''}; worker replaced`));
    }
    if (closed) return;
    replaced++;
    if (wasStarting) {
      consecutiveStartFailures++;
      lastStartError = slot.lastError ?? `worker exited during startup (code ${exitCode})`;
      if (!hasLiveWorker()) {
        // No worker can take the queue: fail its images now rather than let them wait for a
        // restart that may never succeed (missing model files, out of memory...).
        for (const j of queue.splice(0)) j.resolve(failure('unavailable', `detectors failed to start: ${lastStartError}`));
        for (const w of readyWaiters) w.reject(new Error(`detectors failed to start: ${lastStartError}`));
        readyWaiters = [];
      }
      const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (consecutiveStartFailures - 1));
      const t = setTimeout(() => {
        restartTimers.delete(t);
        spawn();
      }, delay);
      restartTimers.add(t);
    } else {
      spawn();
    }
    pump();
  }

  function hasLiveWorker(): boolean {
    for (const s of slots) if (s.state === 'idle' || s.state === 'busy') return true;
    return false;
  }

  function pump(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const job = queue.shift()!;
      slot.state = 'busy';
      slot.job = job;
      slot.timer = setTimeout(() => {
        slot.endedBy = 'timeout';
        void slot.worker.terminate();
      }, timeoutMs);
      const request: AnalyseRequest = { type: 'analyse', id: job.id, image: job.image };
      slot.worker.postMessage(request, [job.image.rgb.buffer as ArrayBuffer]);
    }
  }

  for (let i = 0; i < size; i++) spawn();

  return {
    analyse(img, opts = {}) {
      if (closed) return Promise.reject(new PoolClosedError());
      // An idle worker takes the image at once, so a queue limit of 0 means "no waiting", not "refuse everything".
      if (queue.length >= queueLimit && ![...slots].some((s) => s.state === 'idle')) {
        const busy = [...slots].filter((s) => s.state === 'busy').length;
        const seconds = Math.ceil(((queue.length + busy) * avgJobMs) / size / 1000);
        return Promise.reject(new PoolBusyError(Math.min(30, Math.max(1, seconds)), queue.length));
      }
      if (!hasLiveWorker() && lastStartError !== null && ![...slots].some((s) => s.state === 'starting')) {
        return Promise.resolve(failure('unavailable', `detectors failed to start: ${lastStartError}`));
      }
      const image: DecodedImage = {
        format: img.format,
        width: img.width,
        height: img.height,
        orientation: img.orientation,
        rgb: ownedPixels(img.rgb, opts.transfer === true),
      };
      return new Promise<ImageSignals>((resolve) => {
        queue.push({ id: nextId++, image, resolve });
        pump();
      });
    },

    ready() {
      if (hasLiveWorker()) return Promise.resolve();
      if (closed) return Promise.reject(new PoolClosedError());
      return new Promise<void>((resolve, reject) => readyWaiters.push({ resolve, reject }));
    },

    stats() {
      let ready = 0;
      let busy = 0;
      for (const s of slots) {
        if (s.state === 'idle') ready++;
        if (s.state === 'busy') {
          ready++;
          busy++;
        }
      }
      return { size, ready, busy, queued: queue.length, replaced, detectors, lastLoadMs };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of restartTimers) clearTimeout(t);
      for (const job of queue.splice(0)) job.resolve(failure('unavailable', 'detector pool closed'));
      for (const w of readyWaiters) w.reject(new PoolClosedError());
      readyWaiters = [];
      const exits = [...slots].map((slot) => {
        slot.endedBy = 'close';
        return new Promise<void>((resolve) => {
          if (slot.state === 'dead') return resolve();
          slot.worker.once('exit', () => resolve());
          void slot.worker.terminate();
        });
      });
      await Promise.all(exits);
    },
  };
}

/**
 * A Uint8Array that owns a whole, transferable ArrayBuffer holding the pixels. With
 * `transfer`, the caller's buffer itself is moved when it can be (it must not be a view into
 * a larger buffer, such as Node's pooled Buffers); otherwise the pixels are copied once.
 */
function ownedPixels(rgb: Uint8Array, transfer: boolean): Uint8Array {
  const buf = rgb.buffer;
  const whole = rgb.byteOffset === 0 && rgb.byteLength === buf.byteLength && buf instanceof ArrayBuffer;
  if (transfer && whole) {
    // Detach now, not at dispatch, so the caller sees the move at a predictable moment.
    return new Uint8Array(structuredClone(buf, { transfer: [buf] }));
  }
  const copy = new Uint8Array(rgb.byteLength);
  copy.set(rgb);
  return copy;
}
