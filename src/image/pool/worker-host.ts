/**
 * Runs inside a detector worker: loads the worker module's detectors once, then analyses
 * images one at a time as the pool sends them. One image at a time is the point: the pool
 * sizes the number of workers to the cores, and each worker's tfjs backend is single-threaded.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { errorMessage, runDetectors } from '../detectors/run-detectors.js';
import type { AnalyseRequest, DetectorWorkerModule, WorkerMessage, WorkerStartData } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-host.ts must run in a worker thread');
const start = workerData as WorkerStartData;

function send(message: WorkerMessage): void {
  port!.postMessage(message);
}

const started = performance.now();
try {
  const mod = (await import(start.workerModule)) as Partial<DetectorWorkerModule>;
  if (typeof mod.createDetectors !== 'function') throw new Error(`${start.workerModule} does not export createDetectors()`);
  const detectors = await mod.createDetectors(start.workerOptions);
  port.on('message', (msg: AnalyseRequest) => {
    const t0 = performance.now();
    void runDetectors(detectors, msg.image).then((signals) => send({ type: 'result', id: msg.id, signals, ms: performance.now() - t0 }));
  });
  send({ type: 'ready', detectors: detectors.map((d) => ({ name: d.name, version: d.version })), loadMs: performance.now() - started });
} catch (err) {
  send({ type: 'init_error', message: errorMessage(err) });
}
