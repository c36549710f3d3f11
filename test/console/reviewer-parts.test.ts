import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { countdownText } from '../../src/http/console/countdown.js';
import { highlight } from '../../src/http/console/highlight.js';
import { readCookies, safeNext, setCookie } from '../../src/http/console/session.js';
import { strongerShield } from '../../src/services/console-users.js';

describe('console parts', () => {
  test('highlight marks spans, merges overlaps with every label, clips bad offsets and escapes the text', () => {
    const text = 'make <her> pose in a bikini';
    const marked = highlight(text, [
      { start: 21, end: 27, label: 'sexualisation' },
      { start: 5, end: 10, label: 'target' },
      { start: 8, end: 15, label: 'sexualisation' },
      { start: 25, end: 400, label: 'minor' },
      { start: 3, end: 3, label: 'empty' },
    ]).value;
    assert.equal(marked, 'make <mark title="target; sexualisation">&lt;her&gt; pose</mark> in a <mark title="sexualisation; minor">bikini</mark>');
    assert.equal(highlight('plain & simple', []).value, 'plain &amp; simple');
  });

  test('countdowns read in the two largest units; overdue says so in words', () => {
    assert.equal(countdownText(2 * 86_400 + 3 * 3600 + 59), '2 d 3 h left');
    assert.equal(countdownText(7200), '2 h 0 min left');
    assert.equal(countdownText(61), '1 min 1 s left');
    assert.equal(countdownText(9), '9 s left');
    assert.equal(countdownText(0), 'Overdue by 0 s');
    assert.equal(countdownText(-3725), 'Overdue by 1 h 2 min');
  });

  test('cookies are HttpOnly and SameSite=Strict, Secure only over TLS', () => {
    assert.equal(setCookie('a', 'x y', { path: '/console', maxAge: 60, secure: false }), 'a=x%20y; Path=/console; Max-Age=60; HttpOnly; SameSite=Strict');
    assert.match(setCookie('a', 'x', { path: '/console', maxAge: 60, secure: true }), /; Secure$/);
    assert.deepEqual({ ...readCookies('a=1; b=x%20y; a=2; bad; c=%E0%A4%A') }, { a: '1', b: 'x y' });
    // A cookie named like an Object property is a name like any other.
    assert.deepEqual({ ...readCookies('constructor=c; __proto__=p') }, { constructor: 'c', ['__proto__']: 'p' });
  });

  test('after sign-in only a path inside the console is followed', () => {
    assert.equal(safeNext('/console/cases/case_1?state=open'), '/console/cases/case_1?state=open');
    for (const bad of ['https://evil.example/', '//evil.example/console/', '/consolex', '/console/\\evil', undefined, ['/console/cases']]) {
      assert.equal(safeNext(bad), '/console/cases', String(bad));
    }
  });

  test('a personal shield only ever strengthens the organisation default', () => {
    assert.equal(strongerShield('blur', null), 'blur');
    assert.equal(strongerShield('blur', 'strong'), 'strong');
    assert.equal(strongerShield('strong', 'blur'), 'strong');
  });
});
