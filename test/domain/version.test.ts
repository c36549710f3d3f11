import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { PACKAGE_VERSION } from '../../src/version.js';

test('the version the API, CLI, C2PA claims and safeguards reports name is package.json’s', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(PACKAGE_VERSION, pkg.version);
});
