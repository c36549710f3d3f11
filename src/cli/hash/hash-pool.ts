/**
 * Spreads `perisai hash` over this thread and worker threads, outcomes reported by argument
 * index so the caller can print in argument order.
 *
 * Each lane keeps two files in flight. In a lane the decode runs on libvips' threads and only
 * the PDQ step (a few ms) runs in JavaScript, so one lane already keeps the decoder busy on a
 * second core; worker lanes add JavaScript time for sets of many small images, where the PDQ
 * step is a large share. This thread's lane starts at once, so nothing waits for a worker to
 * boot, and a worker that cannot start costs nothing but its start-up.
 *
 * A worker that fails (it cannot start, or dies) hands its unanswered files back to the queue
 * for the other lanes. Per-file problems never reach this level: `hashFile` turns them into
 * outcomes.
 */
import type { Worker } from 'node:worker_threads';

import { siblingModule, startWorker } from '../../runtime/worker-entry.js';
import type { HashFileOutcome, HashOptions } from './hash-file.js';
import { hashFile } from './hash-file.js';
import type { HashRequest, HashWorkerMessage } from './protocol.js';

// hash-worker.ts from the sources (started through tsx), hash-worker.js in the build.
const ENTRY = siblingModule(import.meta.url, 'hash-worker');

/** Files in flight per lane: one decoding while the previous one is hashed. */
const IN_FLIGHT = 2;

export async function hashInLanes(
  files: readonly string[],
  opts: HashOptions,
  workerCount: number,
  onOutcome: (index: number, outcome: HashFileOutcome) => void,
  testing: {
    /** The worker entry; tests pass a broken one to exercise the fallback. */
    entry?: URL;
    /** false: leave the files to the workers while any is alive (tests of the worker lane). */
    local?: boolean;
  } = {},
): Promise<void> {
  const entry = testing.entry ?? ENTRY;
  let useLocal = testing.local ?? true;
  const queue: number[] = files.map((_, i) => i).reverse(); // pop() hands out files in argument order
  const pendingOf = new Map<Worker, Set<number>>();
  let localInFlight = 0;
  let settled = false;
  let resolveAll!: () => void;
  const done = new Promise<void>((resolve) => (resolveAll = resolve));

  const finishIfDone = (): void => {
    if (settled || queue.length > 0 || localInFlight > 0) return;
    for (const p of pendingOf.values()) if (p.size > 0) return;
    settled = true;
    for (const w of pendingOf.keys()) void w.terminate();
    resolveAll();
  };

  const feedLocal = (): void => {
    while (useLocal && localInFlight < IN_FLIGHT && queue.length > 0) {
      const index = queue.pop()!;
      localInFlight++;
      void hashFile(files[index]!, opts).then((outcome) => {
        localInFlight--;
        onOutcome(index, outcome);
        feedLocal();
        finishIfDone();
      });
    }
  };

  const feedWorker = (w: Worker): void => {
    const pending = pendingOf.get(w);
    while (pending && pending.size < IN_FLIGHT && queue.length > 0) {
      const index = queue.pop()!;
      pending.add(index);
      const req: HashRequest = { index, file: files[index]!, opts };
      w.postMessage(req);
    }
  };

  const lose = (w: Worker): void => {
    const pending = pendingOf.get(w);
    if (!pending || !pendingOf.delete(w)) return;
    // Unanswered files go back to the front of the queue, smallest index first.
    queue.push(...[...pending].sort((a, b) => b - a));
    if (pendingOf.size === 0) useLocal = true; // no worker left: this thread finishes the job
    for (const other of pendingOf.keys()) feedWorker(other);
    feedLocal();
    finishIfDone();
  };

  if (workerCount <= 0 || queue.length <= IN_FLIGHT) useLocal = true;
  for (let k = 0; k < workerCount && queue.length > IN_FLIGHT; k++) {
    const w = startWorker(entry);
    pendingOf.set(w, new Set());
    // A worker takes files only once its modules are loaded, so none wait behind its start-up.
    w.on('message', (msg: HashWorkerMessage) => {
      if (msg.type === 'outcome') {
        pendingOf.get(w)?.delete(msg.index);
        onOutcome(msg.index, msg.outcome);
      }
      feedWorker(w);
      finishIfDone();
    });
    w.on('error', () => lose(w));
    w.on('exit', () => lose(w));
  }
  feedLocal();
  finishIfDone(); // no files at all
  await done;
}
