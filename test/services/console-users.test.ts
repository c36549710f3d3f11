import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import type { AppContext } from '../../src/app-context.js';
import { createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isPerisaiError } from '../../src/domain/errors.js';
import { readAuditEntries } from '../../src/store/repositories/audit-log.js';
import { TEST_SCRYPT } from '../helpers/console.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

/** Cheap hashing for tests: the parameters are recorded per user, so the code path is the same. */
const PASSWORD = 'correct horse battery staple';
const FROM = { address: '192.0.2.7' };

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (isPerisaiError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  assert.fail('expected a refusal');
}

for (const factory of STORE_FACTORIES) {
  describe(`console users and sessions on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-06T08:00:00.000Z');
    let ctx: AppContext;
    before(async () => {
      if (factory.skip) return;
      ctx = await createAppContext(readConfig({}, { db: store().location, imageDetectors: false }), {
        store: store().store,
        clock,
        consoleUsers: { scrypt: TEST_SCRYPT, maxFailures: 3, lockMinutes: 10, sessionHours: 8, idleMinutes: 30 },
      });
    });
    after(async () => ctx?.close());

    const audit = async (kind: string) => (await readAuditEntries(store().store.db, 0, 10_000)).filter((e) => e.kind === kind);

    it('stores a salted scrypt hash with its parameters, never the password', async () => {
      const { user } = await ctx.consoleUsers.create('Ana@Example.org', 'reviewer', PASSWORD, 'cli');
      await ctx.consoleUsers.create('budi@example.org', 'reviewer', PASSWORD, 'cli');
      assert.equal(user.email, 'ana@example.org');
      const rows = await store().store.db.selectFrom('console_users').selectAll().orderBy('email').execute();
      assert.equal(rows.length, 2);
      assert.deepEqual(JSON.parse(rows[0]!.password_params), TEST_SCRYPT);
      assert.notEqual(rows[0]!.password_salt, rows[1]!.password_salt, 'each user has their own salt');
      assert.notEqual(rows[0]!.password_hash, rows[1]!.password_hash, 'the same password hashes differently');
      assert.ok(!JSON.stringify(rows).includes(PASSWORD));
      assert.equal((await refusal(ctx.consoleUsers.create('ana@example.org', 'admin', PASSWORD, 'cli'))).code, 'conflict');
      assert.equal((await refusal(ctx.consoleUsers.create('short@example.org', 'admin', 'short', 'cli'))).code, 'invalid_request');
    });

    it('generates a password when none is given, and it signs in', async () => {
      const created = await ctx.consoleUsers.create('cita@example.org', 'admin', undefined, 'cli');
      assert.ok(created.generatedPassword && created.generatedPassword.length >= 20);
      const signed = await ctx.consoleUsers.login('cita@example.org', created.generatedPassword, FROM);
      assert.equal(signed.session.user.role, 'admin');
    });

    it('signs in, audits the attempt without the password, and finds the session by its cookie only', async () => {
      const signed = await ctx.consoleUsers.login('ANA@example.org', PASSWORD, FROM);
      const session = await ctx.consoleUsers.session(signed.token);
      assert.equal(session?.user.email, 'ana@example.org');
      assert.equal(session?.csrf, signed.session.csrf);
      assert.equal(await ctx.consoleUsers.session(`${signed.token}x`), undefined);
      const stored = await store().store.db.selectFrom('console_sessions').selectAll().execute();
      assert.ok(
        stored.every((row) => row.id_hash !== signed.token),
        'the token itself is never stored',
      );
      const logins = await audit('console.login');
      const last = logins[logins.length - 1]!;
      assert.equal(last.actor, 'ana@example.org');
      assert.deepEqual(last.payload, { outcome: 'success', address: FROM.address });
      assert.ok(!JSON.stringify(logins).includes(PASSWORD));
    });

    it('a wrong password and an unknown email get the same answer, and both are audited', async () => {
      const wrong = await refusal(ctx.consoleUsers.login('ana@example.org', 'not the password', FROM));
      const unknown = await refusal(ctx.consoleUsers.login('nobody@example.org', 'not the password', FROM));
      assert.equal(wrong.code, 'unauthorized');
      assert.deepEqual(unknown, wrong);
      const outcomes = (await audit('console.login')).slice(-2).map((e) => (e.payload as { outcome: string }).outcome);
      assert.deepEqual(outcomes, ['wrong_password', 'unknown_user']);
      // A success resets the count: the next lock-out test starts from zero.
      await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
    });

    it('locks an account after N wrong passwords in a row, refuses even the right one, and unlocks after M minutes', async () => {
      for (let i = 1; i <= 2; i++) assert.equal((await refusal(ctx.consoleUsers.login('budi@example.org', `wrong ${i}`, FROM))).code, 'unauthorized');
      const third = await refusal(ctx.consoleUsers.login('budi@example.org', 'wrong 3', FROM));
      assert.equal(third.code, 'rate_limited');
      assert.equal(third.details?.retryAfterSeconds, 600);
      clock.advance(9 * 60_000);
      const locked = await refusal(ctx.consoleUsers.login('budi@example.org', PASSWORD, FROM));
      assert.equal(locked.code, 'rate_limited', 'the right password does not open a locked account');
      assert.equal(locked.details?.retryAfterSeconds, 60);
      assert.equal(((await audit('console.login')).at(-1)?.payload as { outcome: string }).outcome, 'locked');
      clock.advance(60_000);
      const signed = await ctx.consoleUsers.login('budi@example.org', PASSWORD, FROM);
      assert.equal(signed.session.user.email, 'budi@example.org');
      // The count starts again from zero after the lock.
      assert.equal((await refusal(ctx.consoleUsers.login('budi@example.org', 'wrong again', FROM))).code, 'unauthorized');
    });

    it('a session ends when idle too long, and at its absolute lifetime however active', async () => {
      const idle = await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      clock.advance(29 * 60_000);
      assert.ok(await ctx.consoleUsers.session(idle.token), 'still alive after 29 idle minutes');
      clock.advance(29 * 60_000);
      assert.ok(await ctx.consoleUsers.session(idle.token), 'the previous lookup counted as activity');
      clock.advance(30 * 60_000);
      assert.equal(await ctx.consoleUsers.session(idle.token), undefined, 'gone after 30 idle minutes');

      const busy = await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      for (let i = 0; i < 16; i++) {
        clock.advance(29 * 60_000);
        assert.ok(await ctx.consoleUsers.session(busy.token), `alive at ${(i + 1) * 29} min`);
      }
      clock.advance(30 * 60_000);
      assert.equal(await ctx.consoleUsers.session(busy.token), undefined, 'gone after 8 hours');

      // Sessions left to expire without a sign-out are cleared at the user's next sign-in.
      await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      clock.advance(31 * 60_000);
      await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      const userId = (await ctx.consoleUsers.list()).find((u) => u.email === 'ana@example.org')!.id;
      const left = await store().store.db.selectFrom('console_sessions').select('id_hash').where('user_id', '=', userId).execute();
      assert.equal(left.length, 1, 'only the new session is stored');
    });

    it('refuses a form without the session CSRF token', async () => {
      const signed = await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      assert.doesNotThrow(() => ctx.consoleUsers.checkCsrf(signed.session, signed.session.csrf));
      for (const bad of [undefined, '', 'x', `${signed.session.csrf}x`, ['a']]) {
        assert.throws(
          () => ctx.consoleUsers.checkCsrf(signed.session, bad),
          (e: unknown) => isPerisaiError(e) && e.code === 'forbidden',
        );
      }
    });

    it('logout ends the session (audited); disabling a user ends all of theirs and refuses sign-in', async () => {
      await ctx.consoleUsers.create('dewi@example.org', 'reviewer', PASSWORD, 'cli');
      const a = await ctx.consoleUsers.login('dewi@example.org', PASSWORD, FROM);
      const b = await ctx.consoleUsers.login('dewi@example.org', PASSWORD, FROM);
      await ctx.consoleUsers.logout(a.token);
      assert.equal(await ctx.consoleUsers.session(a.token), undefined);
      assert.ok(await ctx.consoleUsers.session(b.token));
      assert.equal((await audit('console.logout')).at(-1)?.actor, 'dewi@example.org');
      await ctx.consoleUsers.disable('dewi@example.org', 'cli');
      assert.equal(await ctx.consoleUsers.session(b.token), undefined);
      assert.equal((await refusal(ctx.consoleUsers.login('dewi@example.org', PASSWORD, FROM))).code, 'unauthorized');
      assert.ok((await ctx.consoleUsers.list()).find((u) => u.email === 'dewi@example.org')?.disabled);
    });

    it('a personal image shield can be stronger than the organisation, never weaker', async () => {
      const signed = await ctx.consoleUsers.login('ana@example.org', PASSWORD, FROM);
      assert.equal((await ctx.consoleUsers.setImageShield(signed.session, 'strong', 'blur')).imageShield, 'strong');
      assert.equal((await refusal(ctx.consoleUsers.setImageShield(signed.session, 'blur', 'strong'))).code, 'invalid_request');
      assert.equal((await ctx.consoleUsers.session(signed.token))?.user.imageShield, 'strong');
    });
  });
}
