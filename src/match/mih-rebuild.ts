import { siblingModule, startWorker } from '../runtime/worker-entry.js';
import type { Layout } from './mih-plan.js';
import type { MihTables } from './mih-tables.js';

const ENTRY = siblingModule(import.meta.url, 'mih-rebuild-worker');

/** What the main thread sends the rebuild worker: the hashes stay in shared memory. */
export interface RebuildRequest {
  words: Int32Array<SharedArrayBuffer>;
  count: number;
  substrings: number;
  keyBits: number;
}

/**
 * Builds the bucket tables of `words[0 .. count * 8)` in a fresh worker thread
 * (`mih-rebuild-worker`, .ts from the sources, .js in the build), so the event loop that serves look-ups is never blocked by the
 * counting sort (seconds at 10M hashes and up). The worker reads the hashes from the shared
 * buffer and transfers the new tables back without a copy. The caller must not change slots
 * below `count` until the promise settles; appending beyond them is safe.
 *
 * A worker per rebuild rather than a pool: rebuilds are minutes apart at most, and a thread
 * that exits gives its memory back at once.
 */
export function buildTablesOffThread(words: Int32Array<SharedArrayBuffer>, count: number, layout: Layout): Promise<MihTables> {
  const request: RebuildRequest = { words, count, substrings: layout.m, keyBits: layout.keyBits };
  return new Promise<MihTables>((resolve, reject) => {
    const worker = startWorker(ENTRY, { workerData: request });
    let settled = false;
    worker.once('message', (tables: MihTables) => {
      settled = true;
      resolve(tables);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`The MIH rebuild worker exited with code ${code} before answering.`));
    });
  });
}
