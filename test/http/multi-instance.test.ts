import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';

import { type ServerProcess, startServerProcess, waitFor } from '../helpers/server-process.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const KEY = 'psk_sc61g4b8_vC0N7P4JZTD_ZXvYA9xw6tg';
const FIXTURES = new URL('../fixtures/pdq/synthetic/', import.meta.url);
const IMAGE = readFileSync(new URL('02-plasma-512x512.png', FIXTURES));
const IMAGE_PDQ = 'dee327e5e9e247fb7749382d6ee38b3485902a1419b9b22f026ec60b22ead0d5';

/**
 * Two real `perisai serve` processes on one database: a change made through one must reach the
 * other's in-memory index within a second.
 */
for (const factory of STORE_FACTORIES) {
  describe(`two instances on one ${factory.name} database`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let a: ServerProcess;
    let b: ServerProcess;
    before(async () => {
      if (factory.skip) return;
      const location = store().location;
      // Both start at once, as a deployment's instances do; if one fails, the other must still be stopped.
      const started = await Promise.allSettled([
        startServerProcess(location, { PERISAI_ADMIN_KEY: KEY }),
        startServerProcess(location, { PERISAI_ADMIN_KEY: KEY }),
      ]);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) {
        await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
        throw (failed as PromiseRejectedResult).reason;
      }
      [a, b] = started.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value) as [ServerProcess, ServerProcess];
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });

    const call = async (server: ServerProcess, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const screenOn = async (server: ServerProcess) =>
      (
        await call(server, 'POST', '/v1/screen', {
          prompt: 'make it brighter',
          subject: 'none',
          requester: { id: 'acct-7' },
          images: [{ data: IMAGE.toString('base64') }],
        })
      ).body;

    it('a protected hash added through one instance is enforced by the other within a second, and so is its deletion', async () => {
      const before = await screenOn(b);
      assert.ok(!(before.categories as string[]).includes('consent_withheld'), JSON.stringify(before));
      const added = await call(a, 'POST', '/v1/consent/acct-42/protected-hashes', { hashes: [{ pdq: IMAGE_PDQ, quality: 100 }] });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const seenIn = await waitFor(async () => ((await screenOn(b)).categories as string[]).includes('consent_withheld'), 1000);
      assert.ok(seenIn >= 0, 'instance B did not see the protected hash within 1 s');

      await call(a, 'DELETE', '/v1/consent/acct-42/protected-hashes');
      const liftedIn = await waitFor(async () => !((await screenOn(b)).categories as string[]).includes('consent_withheld'), 1000);
      assert.ok(liftedIn >= 0, 'instance B still enforced the deleted hash after 1 s');
    });

    it('a bank created and filled through one instance matches on the other', async () => {
      assert.equal((await call(a, 'POST', '/v1/banks', { name: 'takedowns', purpose: 'takedown' })).status, 201);
      const imported = await call(a, 'POST', '/v1/banks/takedowns/hashes', { hashes: [{ pdq: IMAGE_PDQ, quality: 100, label: 'case-7' }] });
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      const seenIn = await waitFor(async () => ((await screenOn(b)).categories as string[]).includes('bank_match'), 1000);
      assert.ok(seenIn >= 0, 'instance B did not see the bank hash within 1 s');
    });
  });
}
