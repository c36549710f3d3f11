/**
 * `perisai hash FILE...`: PDQ of each file, printed like the reference `pdq-photo-hasher`
 * (`pdq_hex,quality,file`), or one JSON object per line with --json. A file that cannot be
 * read or decoded is reported on stderr and makes the exit code non-zero; the others are
 * still hashed. Never prints an all-zero hash for a broken file.
 *
 * Many files are spread over worker threads (one a core, src/cli/hash/hash-pool.ts); lines are
 * still printed in argument order. One file is hashed in this thread: starting a worker costs
 * more than hashing it.
 */
import { availableParallelism } from 'node:os';
import { hashFile } from '../hash/hash-file.js';
import type { HashFileOutcome, HashOptions } from '../hash/hash-file.js';
import { hashInWorkers } from '../hash/hash-pool.js';

export type { HashOptions } from '../hash/hash-file.js';

export interface HashRunOptions {
  /** Worker threads to use; default one per core. 0 or 1 hashes everything in this thread. */
  workers?: number;
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
  const workers = Math.min(run.workers ?? availableParallelism(), paths.length);
  if (workers <= 1) {
    for (const file of paths) emit(file, await hashFile(file, opts));
    return failed === 0 ? 0 : 1;
  }
  // Outcomes arrive in any order; hold them until every earlier file has been printed.
  const held = new Map<number, HashFileOutcome>();
  let next = 0;
  await hashInWorkers(paths, opts, workers, (index, outcome) => {
    held.set(index, outcome);
    for (let o = held.get(next); o !== undefined; o = held.get(next)) {
      held.delete(next);
      emit(paths[next]!, o);
      next++;
    }
  });
  return failed === 0 ? 0 : 1;
}
