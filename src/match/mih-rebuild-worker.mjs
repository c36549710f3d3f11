// Entry file of the MIH index's rebuild worker (src/match/mih-rebuild.ts starts it). Plain
// JavaScript so Node can start it without any loader; it registers tsx so the TypeScript table
// builder can be imported. Same pattern, and same reason, as src/image/pool/worker-bootstrap.mjs:
// on Node 20 a worker does not inherit tsx's hooks from `node --import tsx`.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./mih-rebuild-worker.ts', import.meta.url).href);
