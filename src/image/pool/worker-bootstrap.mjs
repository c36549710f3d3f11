// Entry file of every detector worker. Plain JavaScript so Node can start it without any
// loader; it registers tsx so the host and the detectors (TypeScript) can be imported.
//
// This is needed even when the process was started with `node --import tsx`: on Node 20 a
// worker inherits that flag in its execArgv but tsx's hooks are not active in the worker
// (checked: importing a .ts file fails with ERR_UNKNOWN_FILE_EXTENSION), and `register()`
// called at run time by `bin/perisai.js` does not reach new threads either.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker-host.ts', import.meta.url).href);
