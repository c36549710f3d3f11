export type { AnalyseOptions, DetectorPool, DetectorPoolOptions, DetectorPoolStats } from './detector-pool.js';
export { createDetectorPool } from './detector-pool.js';
export { PoolBusyError, PoolClosedError } from './errors.js';
export type { ModelWorkerOptions } from './model-worker.js';
export type { DetectorWorkerModule } from './protocol.js';
