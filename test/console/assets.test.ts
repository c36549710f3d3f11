import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const sqlite = STORE_FACTORIES[0]!;

describe('console assets', () => {
  const store = useStore(sqlite);
  const it = testOn(sqlite);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store());
  });
  after(async () => t?.close());

  it('serves the stylesheet and vendored charting library from this server, under a CSP that allows only it', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/console/assets/console.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(String(css.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(css.headers['content-security-policy']), /https?:/);
    const uplot = await t.app.inject({ method: 'GET', url: '/console/assets/vendor/uplot.js' });
    assert.equal(uplot.statusCode, 200);
    assert.ok(uplot.body.includes('uPlot'));
  });

  it('answers an unknown asset, or a path that tries to leave the folder, with 404', async () => {
    for (const url of ['/console/assets/nope.js', '/console/assets/../../package.json', '/console/assets/%2e%2e%2fconfig.ts']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
    }
  });
});
