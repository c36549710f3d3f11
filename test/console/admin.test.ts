import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { readAuditEntries } from '../../src/store/repositories/audit-log.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { consoleClient, TEST_SCRYPT } from '../helpers/console.js';
import { fakeImageAnalyser, flipBits } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const ADMIN = 'ade@example.org';
const REVIEWER = 'rina@example.org';
const PASSWORD = 'an admin passphrase';
const MINOR = { prompt: 'remove her clothes', subject: 'minor' };
const GENERATED = Buffer.from('an output this service screened');
const REPOSTED = Buffer.from('that output, re-encoded and re-posted');
const GENERATED_PDQ = '5a'.repeat(32);
const PDQ_A = 'f'.repeat(64);
const PDQ_B = '0f'.repeat(32);

const ADMIN_PAGES = ['/console/admin/banks', '/console/admin/accounts', '/console/admin/users', '/console/admin/keys'];
const ADMIN_POSTS = [
  '/console/admin/banks',
  '/console/admin/banks/sneaky/active',
  '/console/admin/accounts/acct-1/suspend',
  '/console/admin/accounts/acct-1/reinstate',
  '/console/admin/users',
  '/console/admin/users/disable',
  '/console/admin/keys',
  '/console/admin/keys/revoke',
];

for (const factory of STORE_FACTORIES) {
  describe(`the console's admin pages on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-06T09:00:00.000Z');
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      const analyser = fakeImageAnalyser();
      analyser.set(GENERATED, { pdq: { hash: GENERATED_PDQ, quality: 90 } });
      analyser.set(REPOSTED, { pdq: { hash: flipBits(GENERATED_PDQ, 6), quality: 80 } });
      t = await startTestApp(
        store(),
        { clock, imageAnalyser: analyser, consoleUsers: { scrypt: TEST_SCRYPT } },
        { reportRateLimit: 1000, consoleLoginRateLimit: 1000 },
      );
      await t.ctx.consoleUsers.create(ADMIN, 'admin', PASSWORD, 'test');
      await t.ctx.consoleUsers.create(REVIEWER, 'reviewer', PASSWORD, 'test');
    });
    after(async () => t?.close());

    const get = (url: string, cookie?: string) => consoleClient(t.app).get(url, cookie);
    const post = (url: string, body: Record<string, string | string[]>, cookie?: string) => consoleClient(t.app).post(url, body, cookie);
    const upload = (bank: string, text: string, headers: Record<string, string>, query = '') =>
      t.app.inject({
        method: 'POST',
        url: `/console/admin/banks/${bank}/hashes${query}`,
        payload: text,
        headers: { 'content-type': 'text/plain', ...headers },
      });
    const audit = async (kind: string) => (await readAuditEntries(store().store.db, 0, 100_000)).filter((e) => e.kind === kind);

    const signIn = async (email: string): Promise<{ cookie: string; csrf: string }> => {
      const { cookie, csrf } = await consoleClient(t.app).signIn(email, PASSWORD);
      assert.ok(cookie, `${email} signed in`);
      return { cookie, csrf };
    };

    it('a reviewer sees no admin links and is refused every admin page and post with a sentence', async () => {
      const reviewer = await signIn(REVIEWER);
      const queue = await get('/console/cases', reviewer.cookie);
      assert.doesNotMatch(queue.body, /\/console\/admin\//);
      for (const url of ADMIN_PAGES) {
        const res = await get(url, reviewer.cookie);
        assert.equal(res.statusCode, 403, url);
        assert.match(res.body, /This page is for console admins only: ask an admin/);
      }
      for (const url of ADMIN_POSTS) {
        const res = await post(url, { csrf: reviewer.csrf, name: 'sneaky', purpose: 'test', reason: 'x', email: ADMIN, id: 'key_x' }, reviewer.cookie);
        assert.equal(res.statusCode, 403, url);
      }
      assert.equal((await upload('sneaky', PDQ_A, { cookie: reviewer.cookie, 'x-perisai-csrf': reviewer.csrf })).statusCode, 403);
      assert.deepEqual(
        (await t.ctx.banks.list()).map((b) => b.name),
        [],
        'nothing was created',
      );
      const admin = await signIn(ADMIN);
      const adminQueue = await get('/console/cases', admin.cookie);
      for (const url of ADMIN_PAGES) assert.match(adminQueue.body, new RegExp(`href="${url}"`));
      for (const url of ADMIN_PAGES) assert.equal((await get(url, admin.cookie)).statusCode, 200, url);
      const anonymous = await upload('sneaky', PDQ_A, {});
      assert.equal(anonymous.statusCode, 401);
      assert.match(anonymous.json().message, /sign in again/);
      const signedOut = await get('/console/admin/banks');
      assert.equal(signedOut.statusCode, 303);
      assert.equal(signedOut.headers.location, '/console/login?next=%2Fconsole%2Fadmin%2Fbanks');
    });

    it('a bank is created from the form, a hash list imported by upload, the count shown, and the bank exported', async () => {
      const { cookie, csrf } = await signIn(ADMIN);
      const refused = await post('/console/admin/banks', { csrf: 'guess', name: 'ncii-reports', purpose: 'ncii' }, cookie);
      assert.equal(refused.statusCode, 403, 'no CSRF token, no bank');
      const bad = await post('/console/admin/banks', { csrf, name: 'Bad Name', purpose: 'ncii' }, cookie);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /must be 1-64 lowercase letters/);
      const created = await post(
        '/console/admin/banks',
        { csrf, name: 'ncii-reports', purpose: 'ncii', min_quality: '60', max_distance: '20', active: 'yes' },
        cookie,
      );
      assert.equal(created.statusCode, 303, created.body);
      assert.equal(created.headers.location, '/console/admin/banks?created=ncii-reports');
      const bank = await t.ctx.banks.get('ncii-reports');
      assert.deepEqual([bank.purpose, bank.minQuality, bank.maxDistance, bank.active, bank.createdBy], ['ncii', 60, 20, true, `user:${ADMIN}`]);

      const spoof = await get('/console/admin/banks?created=Your%20session%20expired%2C%20call%20us', cookie);
      assert.doesNotMatch(spoof.body, /Your session expired/, 'only a bank name is echoed');
      const list = await get('/console/admin/banks?created=ncii-reports', cookie);
      assert.match(list.body, /The bank <strong>ncii-reports<\/strong> was created/);
      assert.match(list.body, /<td data-bank-count="ncii-reports">0<\/td>/);
      assert.match(list.body, /src="\/console\/assets\/bank-import.js"/);

      const noToken = await upload('ncii-reports', `${PDQ_A},100\n`, { cookie });
      assert.equal(noToken.statusCode, 403);
      assert.match(noToken.json().message, /reload the page/);
      const badLine = await upload('ncii-reports', `${PDQ_A},100\nnot-a-hash\n`, { cookie, 'x-perisai-csrf': csrf });
      assert.equal(badLine.statusCode, 400);
      assert.match(badLine.json().message, /Nothing was imported: the file has 1 problem.*\n {2}line 2:/s);
      assert.equal((await t.ctx.banks.list())[0]!.hashes, 0, 'a list with a bad line imports nothing');

      const imported = await upload('ncii-reports', `${PDQ_A},100\n${PDQ_B},90\n`, { cookie, 'x-perisai-csrf': csrf }, '?format=pdq');
      assert.equal(imported.statusCode, 200, imported.body);
      assert.deepEqual(imported.json(), { bank: 'ncii-reports', submitted: 2, added: 2, already_present: 0, hashes: 2 });
      const again = await upload('ncii-reports', `${PDQ_A},100\n`, { cookie, 'x-perisai-csrf': csrf });
      assert.deepEqual(again.json(), { bank: 'ncii-reports', submitted: 1, added: 0, already_present: 1, hashes: 2 });
      assert.equal((await audit('bank_hashes_added')).at(-1)!.actor, `user:${ADMIN}`);
      assert.match((await get('/console/admin/banks', cookie)).body, /<td data-bank-count="ncii-reports">2<\/td>/);

      // Over the server's 1 MiB default body limit: the import route allows a hash list's 64 MiB.
      const many = Array.from({ length: 20_000 }, (_, i) => `${(i + 1).toString(16).padStart(64, '0')},100`).join('\n');
      assert.ok(many.length > 1024 * 1024);
      const large = await upload('ncii-reports', many, { cookie, 'x-perisai-csrf': csrf });
      assert.equal(large.statusCode, 200, large.body);
      assert.deepEqual(large.json(), { bank: 'ncii-reports', submitted: 20_000, added: 20_000, already_present: 0, hashes: 20_002 });

      const askOff = await post('/console/admin/banks/ncii-reports/active', { csrf, active: 'no' }, cookie);
      assert.match(askOff.body, /Confirm: deactivate ncii-reports/);
      assert.equal((await t.ctx.banks.get('ncii-reports')).active, true, 'the first post only asks');
      assert.equal((await post('/console/admin/banks/ncii-reports/active', { csrf, active: 'no', confirm: 'yes' }, cookie)).statusCode, 303);
      assert.equal((await t.ctx.banks.get('ncii-reports')).active, false);
      assert.equal((await post('/console/admin/banks/ncii-reports/active', { csrf, active: 'yes' }, cookie)).statusCode, 303, 'activating acts at once');
      assert.equal((await t.ctx.banks.get('ncii-reports')).active, true);
      assert.deepEqual(
        (await audit('bank_deactivated')).concat(await audit('bank_activated')).map((e) => e.actor),
        [`user:${ADMIN}`, `user:${ADMIN}`],
      );

      const exported = await get('/console/admin/banks/ncii-reports/export?format=pdq', cookie);
      assert.equal(exported.statusCode, 200);
      assert.equal(exported.headers['content-disposition'], 'attachment; filename="ncii-reports.txt"');
      const exportedHashes = exported.body
        .trim()
        .split('\n')
        .map((l) => l.split(',')[0]);
      assert.equal(exportedHashes.length, 20_002, 'every hash, streamed');
      assert.ok(exportedHashes.includes(PDQ_A) && exportedHashes.includes(PDQ_B));
      const missing = await get('/console/admin/banks/nope/export', cookie);
      assert.equal(missing.statusCode, 404);
    });

    it("an account's standing, strikes and appeals are shown; suspend and reinstate act only once confirmed, under the admin's name", async () => {
      const { cookie, csrf } = await signIn(ADMIN);
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      // acct_1's "_" would match any character in an unescaped LIKE: acctZ1's appeal must not show up for acct_1.
      const appealed: Record<string, string> = {};
      for (const account of ['acct_1', 'acctZ1']) {
        const decision = (await t.app.inject({ method: 'POST', url: '/v1/screen', headers: admin, payload: { ...MINOR, requester: { id: account } } })).json();
        await t.ctx.accounts.strikeFromDecision(decision.id);
        const opened = await t.app.inject({
          method: 'POST',
          url: '/v1/appeals',
          headers: admin,
          payload: { decision_id: decision.id, appellant: { type: 'account_holder', account, contact: 'a@example.org' }, reason: 'I am an adult.' },
        });
        assert.equal(opened.statusCode, 201, opened.body);
        appealed[account] = opened.json().id;
      }
      const page = await get('/console/admin/accounts?account=acct_1', cookie);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<table id="strikes">/);
      assert.match(page.body, new RegExp(`href="/console/cases/${appealed.acct_1}"`));
      assert.doesNotMatch(page.body, new RegExp(appealed.acctZ1!), 'another account’s appeal is not shown');
      assert.doesNotMatch(page.body, /a@example\.org/, 'the appellant’s contact stays out of the console');
      const invalid = await get('/console/admin/accounts?account=..', cookie);
      assert.equal(invalid.statusCode, 400);

      const before = (await t.ctx.accounts.get('acct-9')).standing;
      const ask = await post('/console/admin/accounts/acct-9/suspend', { csrf, reason: 'Repeated attempts to undress photos of others.', days: '7' }, cookie);
      assert.equal(ask.statusCode, 200);
      assert.match(ask.body, /Confirm: suspend acct-9/);
      assert.match(ask.body, /for 7 days/);
      assert.equal((await t.ctx.accounts.get('acct-9')).standing, before, 'the first post only asks');
      const noCsrf = await post('/console/admin/accounts/acct-9/suspend', { reason: 'x', days: '7', confirm: 'yes' }, cookie);
      assert.equal(noCsrf.statusCode, 403);
      const both = await post('/console/admin/accounts/acct-9/suspend', { csrf, reason: 'x', days: '7', until: '2027-01-01T00:00:00Z' }, cookie);
      assert.equal(both.statusCode, 400);
      assert.match(both.body, /give either until or days, not both/);
      const done = await post(
        '/console/admin/accounts/acct-9/suspend',
        { csrf, reason: 'Repeated attempts to undress photos of others.', days: '7', confirm: 'yes' },
        cookie,
      );
      assert.equal(done.statusCode, 303, done.body);
      assert.equal(done.headers.location, '/console/admin/accounts?account=acct-9');
      const view = await t.ctx.accounts.get('acct-9');
      assert.equal(view.standing, 'suspended');
      assert.equal(view.suspended_until, new Date(clock.now().getTime() + 7 * 86_400_000).toISOString());
      assert.equal((await audit('account.suspended')).at(-1)!.actor, `user:${ADMIN}`);
      assert.match((await get('/console/admin/accounts?account=acct-9', cookie)).body, /id="reinstate"/);

      const askBack = await post('/console/admin/accounts/acct-9/reinstate', { csrf, reason: 'Appeal granted.' }, cookie);
      assert.match(askBack.body, /Confirm: reinstate acct-9/);
      assert.equal((await t.ctx.accounts.get('acct-9')).standing, 'suspended');
      const back = await post('/console/admin/accounts/acct-9/reinstate', { csrf, reason: 'Appeal granted.', confirm: 'yes' }, cookie);
      assert.equal(back.statusCode, 303);
      assert.equal((await t.ctx.accounts.get('acct-9')).standing, 'good');
      assert.equal((await audit('account.reinstated')).at(-1)!.actor, `user:${ADMIN}`);
    });

    it('users: created with a password shown once, disabled only once confirmed (never oneself)', async () => {
      const { cookie, csrf } = await signIn(ADMIN);
      const created = await post('/console/admin/users', { csrf, email: 'New.Reviewer@example.org', role: 'reviewer' }, cookie);
      assert.equal(created.statusCode, 201, created.body);
      const password = /<p class="reference mono" id="generated-password">([^<]+)<\/p>/.exec(created.body)?.[1];
      assert.ok(password && password.length >= 12);
      assert.equal(created.headers['cache-control'], 'no-store');
      const signedIn = await t.ctx.consoleUsers.login('new.reviewer@example.org', password, { address: '127.0.0.1' });
      assert.equal(signedIn.session.user.role, 'reviewer');
      const list = await get('/console/admin/users', cookie);
      assert.match(list.body, /new\.reviewer@example\.org/);
      assert.doesNotMatch(list.body, new RegExp(password), 'the password is never shown again');
      assert.equal((await audit('console.user_created')).at(-1)!.actor, `user:${ADMIN}`);
      const badRole = await post('/console/admin/users', { csrf, email: 'x@example.org', role: 'root' }, cookie);
      assert.equal(badRole.statusCode, 400);
      assert.match(badRole.body, /form\.role must be one of &quot;reviewer&quot;, &quot;admin&quot;/);

      const ask = await post('/console/admin/users/disable', { csrf, email: 'new.reviewer@example.org' }, cookie);
      assert.match(ask.body, /Confirm: disable new\.reviewer@example\.org/);
      assert.equal((await t.ctx.consoleUsers.list()).find((u) => u.email === 'new.reviewer@example.org')!.disabled, false);
      const done = await post('/console/admin/users/disable', { csrf, email: 'new.reviewer@example.org', confirm: 'yes' }, cookie);
      assert.equal(done.statusCode, 303);
      assert.equal((await t.ctx.consoleUsers.list()).find((u) => u.email === 'new.reviewer@example.org')!.disabled, true);
      assert.equal((await audit('console.user_disabled')).at(-1)!.actor, `user:${ADMIN}`);
      const self = await post('/console/admin/users/disable', { csrf, email: ADMIN, confirm: 'yes' }, cookie);
      assert.equal(self.statusCode, 409);
      assert.match(self.body, /You cannot disable yourself/);
    });

    it('API keys: listed without secrets, created with the secret shown once, revoked only once confirmed', async () => {
      const { cookie, csrf } = await signIn(ADMIN);
      const noScope = await post('/console/admin/keys', { csrf, name: 'image service' }, cookie);
      assert.equal(noScope.statusCode, 400);
      assert.match(noScope.body, /form\.scopes must have at least 1/);
      const created = await post('/console/admin/keys', { csrf, name: 'image service', scopes: ['screen', 'images'] }, cookie);
      assert.equal(created.statusCode, 201, created.body);
      const secret = /<p class="reference mono" id="key-secret">([^<]+)<\/p>/.exec(created.body)?.[1] ?? '';
      assert.ok(secret.startsWith('psk_'));
      const id = /<span class="mono">(key_[0-9a-f]+)<\/span>/.exec(created.body)?.[1];
      const key = await t.ctx.apiKeys.authenticate(secret);
      assert.deepEqual([key?.id, key?.scopes], [id, ['screen', 'images']]);
      const list = await get('/console/admin/keys', cookie);
      assert.match(list.body, new RegExp(`<td class="mono">${id}</td>`));
      assert.doesNotMatch(list.body, new RegExp(secret), 'the secret is never shown again');
      assert.doesNotMatch(list.body, new RegExp(ADMIN_KEY));
      assert.equal((await audit('api_key_created')).at(-1)!.actor, `user:${ADMIN}`);

      const ask = await post('/console/admin/keys/revoke', { csrf, id: id! }, cookie);
      assert.match(ask.body, /Confirm: revoke key_/);
      assert.ok(await t.ctx.apiKeys.authenticate(secret), 'the first post only asks');
      const done = await post('/console/admin/keys/revoke', { csrf, id: id!, confirm: 'yes' }, cookie);
      assert.equal(done.statusCode, 303);
      clock.advance(1000);
      assert.equal(await t.ctx.apiKeys.authenticate(secret), undefined);
      assert.equal((await audit('api_key_revoked')).at(-1)!.actor, `user:${ADMIN}`);
      const twice = await post('/console/admin/keys/revoke', { csrf, id: id! }, cookie);
      assert.equal(twice.statusCode, 404);
    });

    it("the case page offers an admin 'suspend' for the account the ledger trace names, confirmed, then back to the case", async () => {
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      const request = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: admin,
        payload: { prompt: 'put her in a red dress at the beach', subject: 'adult', requester: { id: 'acct-42' } },
      });
      await t.app.inject({
        method: 'POST',
        url: '/v1/screen/output',
        headers: admin,
        payload: { request_id: request.json().id, image: { data: GENERATED.toString('base64') } },
      });
      const filed = await t.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: { reporter: { type: 'depicted_person' }, jurisdiction: 'ID', category: 'sexual_deepfake', content: { image: REPOSTED.toString('base64') } },
      });
      const caseId = filed.json().case_id as string;
      const reviewer = await signIn(REVIEWER);
      assert.doesNotMatch((await get(`/console/cases/${caseId}`, reviewer.cookie)).body, /suspend-acct-42/, 'reviewers are not offered it');
      const { cookie, csrf } = await signIn(ADMIN);
      const page = await get(`/console/cases/${caseId}`, cookie);
      assert.match(page.body, /<form method="post" action="\/console\/admin\/accounts\/acct-42\/suspend" class="action" id="suspend-acct-42">/);
      assert.match(page.body, /<form method="post" action="\/console\/admin\/accounts\/acct-42\/strike" class="action" id="strike-acct-42">/);
      const strike = {
        csrf,
        case: caseId,
        decision: request.json().id as string,
        category: 'sexualize_real_person',
        reason: 'The reported image is this request’s output.',
      };
      assert.match((await post('/console/admin/accounts/acct-42/strike', strike, cookie)).body, /Yes, strike the account/, 'a strike is confirmed first');
      assert.equal((await t.ctx.accounts.get('acct-42')).strikes.active.length, 0);
      const struck = await post('/console/admin/accounts/acct-42/strike', { ...strike, confirm: 'yes' }, cookie);
      assert.equal(struck.statusCode, 303);
      assert.deepEqual(
        (await t.ctx.accounts.get('acct-42')).strikes.active.map((s) => [s.category, s.rule, s.decision_id]),
        [['sexualize_real_person', 'manual', strike.decision]],
      );
      assert.equal((await audit('case.account_struck')).at(-1)!.actor, `user:${ADMIN}`);
      assert.equal(
        (await post('/console/admin/accounts/acct-42/strike', { ...strike, confirm: 'yes' }, cookie)).statusCode,
        409,
        'once per decision and category',
      );
      const fields = { csrf, case: caseId, reason: 'Made a sexual deepfake of a real person.' };
      const ask = await post('/console/admin/accounts/acct-42/suspend', fields, cookie);
      assert.match(ask.body, /until an admin reinstates it/);
      assert.match(ask.body, new RegExp(`<a href="/console/cases/${caseId}">Cancel</a>`));
      const done = await post('/console/admin/accounts/acct-42/suspend', { ...fields, confirm: 'yes' }, cookie);
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, `/console/cases/${caseId}`);
      const view = await t.ctx.accounts.get('acct-42');
      assert.deepEqual([view.standing, view.suspended_until, view.suspension?.actor], ['suspended', null, `user:${ADMIN}`]);
      const trail = await get(`/console/cases/${caseId}`, cookie);
      assert.match(trail.body, new RegExp(`<td>case\\.account_suspended</td>\\s*<td>user:${ADMIN}</td>`), "the case's audit trail records it");
      const noCase = await post('/console/admin/accounts/acct-42/suspend', { ...fields, case: 'case_' + '0'.repeat(32), confirm: 'yes' }, cookie);
      assert.equal(noCase.statusCode, 404, 'a case that does not exist');
      assert.equal((await t.ctx.accounts.get('acct-42')).suspensions.length, 1, 'and nothing was suspended');
      const badCase = await post('/console/admin/accounts/acct-42/suspend', { ...fields, case: '../etc' }, cookie);
      assert.equal(badCase.statusCode, 400);
    });
  });
}
