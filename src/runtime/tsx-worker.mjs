// Entry file of a worker thread started from the TypeScript sources (tests, benches): see
// worker-entry.ts. Plain JavaScript so Node can start it without any loader; it registers tsx,
// then imports the TypeScript entry passed as the first worker argument. The compiled build
// never loads this file (and the build does not copy it into dist/).
import { register } from 'tsx/esm/api';

register();
const entry = process.argv[2];
if (!entry) throw new Error('tsx-worker.mjs needs the URL of the worker entry as its first argument');
// The entry sees the argv it would have had if it had been started directly.
process.argv.splice(2, 1);
await import(entry);
