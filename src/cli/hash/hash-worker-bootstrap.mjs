// Entry file of every `perisai hash` worker, the same pattern as src/image/pool/worker-bootstrap.mjs:
// plain JavaScript so Node can start it without any loader; it registers tsx so the worker
// (TypeScript) can be imported. On Node 20 a worker does not inherit tsx's hooks from
// `node --import tsx` or from `register()` in bin/perisai.js, hence the register here.
// A compiled build adapts this one file (import './hash-worker.js' without tsx).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./hash-worker.ts', import.meta.url).href);
