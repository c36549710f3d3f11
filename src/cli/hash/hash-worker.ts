/**
 * Runs inside a hash worker (started by hash-pool.ts through runtime/worker-entry.ts): says when it is ready, then
 * hashes the files the pool sends and answers each with its outcome. Several requests may be in
 * flight: the decode runs on libvips' threads, so a second file decodes while the first is hashed.
 */
import { parentPort } from 'node:worker_threads';

import { hashFile } from './hash-file.js';
import type { HashRequest, HashWorkerMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts must run in a worker thread');
const send = (message: HashWorkerMessage): void => port.postMessage(message);

port.on('message', (req: HashRequest) => {
  void hashFile(req.file, req.opts).then((outcome) => send({ type: 'outcome', index: req.index, outcome }));
});
// Imports above are done (this module ran): until now the pool hashed in its own thread.
send({ type: 'ready' });
