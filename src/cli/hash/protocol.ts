/** Messages between `perisai hash` and its hash workers. */
import type { HashFileOutcome, HashOptions } from './hash-file.js';

/** Main thread → worker: hash `file` (position `index` in the argument list). */
export interface HashRequest {
  index: number;
  file: string;
  opts: HashOptions;
}

/** Worker → main thread: modules loaded, send files; or the outcome of one file. */
export type HashWorkerMessage = { type: 'ready' } | { type: 'outcome'; index: number; outcome: HashFileOutcome };
