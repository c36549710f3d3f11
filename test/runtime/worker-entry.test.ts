import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { isTypeScriptSource, siblingModule, startWorker } from '../../src/runtime/worker-entry.js';

function firstMessage(entry: URL): Promise<unknown> {
  const worker = startWorker(entry);
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => void worker.terminate().then(() => resolve(message)));
    worker.once('error', reject);
  });
}

describe('worker entries', () => {
  it('picks the sibling of the caller’s own kind, so dist/ never names a .ts file', () => {
    assert.equal(siblingModule('file:///app/src/image/pool/detector-pool.ts', 'worker-host').href, 'file:///app/src/image/pool/worker-host.ts');
    assert.equal(siblingModule('file:///app/dist/image/pool/detector-pool.js', 'worker-host').href, 'file:///app/dist/image/pool/worker-host.js');
    assert.equal(isTypeScriptSource('file:///app/src/x.mts'), true);
    assert.equal(isTypeScriptSource('file:///app/dist/x.js'), false);
  });

  it('starts a TypeScript entry through tsx and a JavaScript one directly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perisai-worker-'));
    try {
      const js = join(dir, 'entry.mjs');
      // Posts whether the tsx bootstrap ran: it is the worker's script only for .ts entries.
      writeFileSync(js, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage(process.argv[1]);\n");
      assert.equal(await firstMessage(pathToFileURL(js)), js);
      const ts = join(dir, 'entry.ts');
      writeFileSync(ts, "import { parentPort } from 'node:worker_threads';\nconst n: number = 2;\nparentPort!.postMessage(n * 21);\n");
      assert.equal(await firstMessage(pathToFileURL(ts)), 42);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
