import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { makeLayout } from './mih-plan.js';
import type { RebuildRequest } from './mih-rebuild.js';
import { buildTables } from './mih-tables.js';

// The rebuild is background work: on a busy machine the thread answering look-ups must win the
// CPU. On Linux, setpriority(pid 0) applies to the calling thread only, so this lowers the
// worker and not the server; elsewhere it would lower the whole process, so it is not done.
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    // not permitted here: keep the default priority
  }
}

// Runs once per rebuild: build the tables, hand their buffers over (transferred, not copied),
// and let the main thread end the thread.
const request = workerData as RebuildRequest;
const tables = buildTables(request.words, request.count, makeLayout(request.substrings, request.keyBits));
parentPort!.postMessage(tables, [tables.offsets.buffer, tables.postings.buffer]);
