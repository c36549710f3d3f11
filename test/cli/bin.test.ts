import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/perisai.js', import.meta.url));

// The suite runs the sources, not dist/ (see helpers/cli.ts); this checks only what the bin does
// on its own when there is no build, in a copy of it with no dist/ beside it.
describe('bin/perisai.js', () => {
  it('without a build says how to make one and exits non-zero instead of running the sources', () => {
    const root = mkdtempSync(join(tmpdir(), 'perisai-bin-'));
    try {
      mkdirSync(join(root, 'bin'));
      copyFileSync(BIN, join(root, 'bin', 'perisai.js'));
      writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
      const run = spawnSync(process.execPath, [join(root, 'bin', 'perisai.js'), '--version'], { encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /compiled build is missing .*Run `npm run build` \(or `npm ci`\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
