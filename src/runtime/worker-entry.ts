/**
 * Starting worker threads from the compiled build and from the TypeScript sources alike.
 *
 * The build (dist/, what the bin and `npm start` run) starts a worker straight on its compiled
 * entry file: no loader and no TypeScript compiler in the process. The sources (tests and
 * benches, run with `node --import tsx`) need tsx inside each worker, and on Node 20 neither
 * `--import tsx` in the parent's execArgv nor `register()` called in the parent reaches a new
 * thread (checked: importing a .ts file in the worker fails with ERR_UNKNOWN_FILE_EXTENSION), so
 * there the worker starts on `tsx-worker.mjs`, which registers tsx and then imports the entry.
 *
 * A new worker entry follows the pattern of the detector pool:
 *   const ENTRY = siblingModule(import.meta.url, 'my-worker'); // my-worker.ts or my-worker.js
 *   const worker = startWorker(ENTRY, { workerData });
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TSX_BOOTSTRAP = new URL('./tsx-worker.mjs', import.meta.url);

/** Whether `moduleUrl` (e.g. a caller's `import.meta.url`) is a TypeScript source rather than compiled output. */
export function isTypeScriptSource(moduleUrl: string | URL): boolean {
  return /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
}

/**
 * The module `stem` next to `moduleUrl`, of the caller's own kind: `stem.ts` beside a TypeScript
 * source, `stem.js` beside compiled output. Keyed on the caller, so a literal `.ts` path never
 * reaches a compiled build.
 */
export function siblingModule(moduleUrl: string | URL, stem: string): URL {
  return new URL(`./${stem}${isTypeScriptSource(moduleUrl) ? '.ts' : '.js'}`, moduleUrl);
}

/** Starts a worker thread on `entry`, a compiled .js module or (from the sources only) a .ts one. */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (isTypeScriptSource(entry)) {
    // The bootstrap is not part of the build, and a compiled process must never load tsx.
    if (!isTypeScriptSource(import.meta.url)) {
      throw new Error(`cannot start the TypeScript worker ${entry.href} from the compiled build; pass its compiled .js sibling`);
    }
    return new Worker(TSX_BOOTSTRAP, { ...options, argv: [entry.href, ...(options.argv ?? [])] });
  }
  // The bin turns source maps on with process.setSourceMapsEnabled(), which leaves execArgv as it
  // is; a worker only maps its own stack traces back to src/ when given the flag.
  const execArgv = options.execArgv ?? process.execArgv;
  const withMaps = process.sourceMapsEnabled && !execArgv.includes('--enable-source-maps') ? [...execArgv, '--enable-source-maps'] : execArgv;
  return new Worker(entry, { ...options, execArgv: withMaps });
}
