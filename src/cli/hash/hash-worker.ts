/**
 * Runs inside a hash worker (entry: hash-worker-bootstrap.mjs): hashes the files the pool sends
 * and answers each with its outcome. Several requests may be in flight: the decode runs on
 * libvips' threads, so a second file decodes while the first is being hashed.
 */
import { parentPort } from 'node:worker_threads';
import { hashFile } from './hash-file.js';
import type { HashReply, HashRequest } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts must run in a worker thread');

port.on('message', (req: HashRequest) => {
  void hashFile(req.file, req.opts).then((outcome) => {
    const reply: HashReply = { index: req.index, outcome };
    port.postMessage(reply);
  });
});
