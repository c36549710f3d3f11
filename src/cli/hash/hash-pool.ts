/**
 * Spreads `perisai hash` over worker threads: one worker a core, each fed a couple of files at a
 * time, outcomes reported by argument index so the caller can print in argument order.
 *
 * A worker that fails (it cannot start, or dies) hands its unanswered files back to the queue;
 * when no worker is left, the rest are hashed in this thread. Per-file problems never reach
 * this level: `hashFile` turns them into outcomes.
 */
import { Worker } from 'node:worker_threads';
import { hashFile } from './hash-file.js';
import type { HashFileOutcome, HashOptions } from './hash-file.js';
import type { HashReply, HashRequest } from './protocol.js';

const BOOTSTRAP = new URL('./hash-worker-bootstrap.mjs', import.meta.url);

/**
 * Files in flight per worker: two, so a worker decodes its next file (on libvips' threads) while
 * it hashes the current one, and never waits for the round trip to the main thread.
 */
const IN_FLIGHT = 2;

export async function hashInWorkers(
  files: readonly string[],
  opts: HashOptions,
  workerCount: number,
  onOutcome: (index: number, outcome: HashFileOutcome) => void,
  /** The worker entry; tests pass a broken one to exercise the fallback. */
  entry: URL = BOOTSTRAP,
): Promise<void> {
  const queue: number[] = files.map((_, i) => i);
  queue.reverse(); // pop() from the end hands out files in argument order
  let alive = 0;

  await new Promise<void>((resolve) => {
    let settled = false;
    const pendingOf = new Map<Worker, Set<number>>();

    const finishIfDone = (): void => {
      if (settled) return;
      const inFlight = [...pendingOf.values()].some((p) => p.size > 0);
      if (queue.length === 0 && !inFlight) {
        settled = true;
        for (const w of pendingOf.keys()) void w.terminate();
        resolve();
      } else if (alive === 0 && !inFlight) {
        // No worker left: hash what remains here, in order.
        settled = true;
        void (async () => {
          while (queue.length > 0) {
            const i = queue.pop()!;
            onOutcome(i, await hashFile(files[i]!, opts));
          }
          resolve();
        })();
      }
    };

    const feed = (w: Worker): void => {
      const pending = pendingOf.get(w)!;
      while (pending.size < IN_FLIGHT && queue.length > 0) {
        const index = queue.pop()!;
        pending.add(index);
        const req: HashRequest = { index, file: files[index]!, opts };
        w.postMessage(req);
      }
    };

    const lose = (w: Worker): void => {
      const pending = pendingOf.get(w);
      if (!pending || !pendingOf.delete(w)) return;
      alive--;
      // Unanswered files go back to the front of the queue, smallest index served first.
      queue.push(...[...pending].sort((a, b) => b - a));
      for (const other of pendingOf.keys()) feed(other);
      finishIfDone();
    };

    for (let k = 0; k < workerCount; k++) {
      const w = new Worker(entry);
      alive++;
      pendingOf.set(w, new Set());
      w.on('message', (reply: HashReply) => {
        pendingOf.get(w)?.delete(reply.index);
        onOutcome(reply.index, reply.outcome);
        feed(w);
        finishIfDone();
      });
      w.on('error', () => lose(w));
      w.on('exit', () => lose(w));
      feed(w);
    }
  });
}
