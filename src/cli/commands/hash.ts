/**
 * `perisai hash FILE...`: PDQ of each file, printed like the reference `pdq-photo-hasher`
 * (`pdq_hex,quality,file`), or one JSON object per line with --json. A file that cannot be
 * read or decoded is reported on stderr and makes the exit code non-zero; the others are
 * still hashed. Never prints an all-zero hash for a broken file.
 *
 * Many files are spread over this thread and worker threads (src/cli/hash/hash-pool.ts); lines
 * are still printed in argument order. This thread starts hashing at once, so a single file (or
 * a handful) never pays for starting a worker.
 */
import { availableParallelism } from 'node:os';

import type { HashFileOutcome, HashOptions } from '../hash/hash-file.js';
import { hashInLanes } from '../hash/hash-pool.js';

export type { HashOptions } from '../hash/hash-file.js';

export interface HashRunOptions {
  /** Worker threads besides this thread; default `defaultHashWorkers()`. 0 hashes in this thread only. */
  workers?: number;
}

/**
 * Cores minus two. This thread's lane already keeps two cores busy, since the decode (most of the
 * time per file) runs on libvips' threads and only the PDQ step runs in JavaScript. Measured on 2
 * cores under tsx (docs/pdq.md, Speed), a worker lane's start-up cost more than it gave, on 20
 * large JPEGs and on 200 mixed ones alike. With more cores, worker lanes add JavaScript time
 * for the PDQ step (not measured here: this workplace has 2 cores).
 */
export function defaultHashWorkers(): number {
  return Math.max(0, availableParallelism() - 2);
}

/**
 * @returns the exit code: 0 when every file was hashed, 1 otherwise.
 * @example await hashFiles(['a.jpg'], { json: true }, console.log)
 */
export async function hashFiles(
  paths: string[],
  opts: HashOptions,
  out: (line: string) => void,
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  run: HashRunOptions = {},
): Promise<number> {
  let failed = 0;
  const emit = (file: string, outcome: HashFileOutcome): void => {
    if (outcome.ok) out(outcome.line);
    else {
      failed++;
      err(`perisai hash: ${file}: ${outcome.error}`);
    }
  };
  const workers = run.workers ?? defaultHashWorkers();
  // Outcomes arrive in any order; hold them until every earlier file has been printed.
  const held = new Map<number, HashFileOutcome>();
  let next = 0;
  await hashInLanes(paths, opts, workers, (index, outcome) => {
    held.set(index, outcome);
    for (let o = held.get(next); o !== undefined; o = held.get(next)) {
      held.delete(next);
      emit(paths[next]!, o);
      next++;
    }
  });
  return failed === 0 ? 0 : 1;
}
