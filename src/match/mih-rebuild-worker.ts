import { parentPort, workerData } from 'node:worker_threads';

import { makeLayout } from './mih-plan.js';
import type { RebuildRequest } from './mih-rebuild.js';
import { buildTables } from './mih-tables.js';

// Runs once per rebuild: build the tables, hand their buffers over (transferred, not copied),
// and let the main thread end the thread.
const request = workerData as RebuildRequest;
const tables = buildTables(request.words, request.count, makeLayout(request.substrings, request.keyBits));
parentPort!.postMessage(tables, [tables.offsets.buffer, tables.postings.buffer]);
