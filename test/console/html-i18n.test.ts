import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { escapeHtml, html, unsafeHtml } from '../../src/http/console/html.js';
import { defineMessages, fromAcceptLanguage, negotiateLang } from '../../src/http/console/i18n.js';

describe('console html templates', () => {
  test('property: an interpolated string never adds markup, and unescaping gives it back', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = html`<p title="${text}">${text}</p>`.value;
        const inner = out.slice('<p title="'.length, out.length - '</p>'.length);
        assert.equal(/[<>]/.test(inner.replace(/^[^"]*">/, '')), false);
        const unescaped = escapeHtml(text)
          .replaceAll('&lt;', '<')
          .replaceAll('&gt;', '>')
          .replaceAll('&quot;', '"')
          .replaceAll('&#39;', "'")
          .replaceAll('&amp;', '&');
        assert.equal(unescaped, text);
      }),
    );
  });

  test('fragments and lists nest without double escaping; false, null and undefined render nothing', () => {
    const item = (name: string) => html`<li>${name}</li>`;
    // Called under another name so the formatter leaves the template's whitespace alone.
    const markup = html;
    assert.equal(markup`<ul>${['a&b', '<c>'].map(item)}</ul>`.value, '<ul><li>a&amp;b</li><li>&lt;c&gt;</li></ul>');
    assert.equal(html`${false}${null}${undefined}${0}`.value, '0');
    assert.equal(html`${unsafeHtml('<br>')}`.value, '<br>');
  });
});

describe('console languages', () => {
  test('Accept-Language: q-values rank, Malay falls back to Indonesian, unknown ones to none', () => {
    assert.equal(fromAcceptLanguage('id-ID,id;q=0.9,en-US;q=0.8'), 'id');
    assert.equal(fromAcceptLanguage('fr;q=1, en;q=0.5, id;q=0.7'), 'id');
    assert.equal(fromAcceptLanguage('ms-MY'), 'id');
    assert.equal(fromAcceptLanguage('de, fr'), undefined);
    assert.equal(fromAcceptLanguage('id;q=0, en'), 'en');
    assert.equal(fromAcceptLanguage(undefined), undefined);
  });

  test('the switch (query), then the cookie, then the header, then English', () => {
    assert.equal(negotiateLang({ query: 'id', cookie: 'en', acceptLanguage: 'en' }), 'id');
    assert.equal(negotiateLang({ query: 'xx', cookie: 'id', acceptLanguage: 'en' }), 'id');
    assert.equal(negotiateLang({ acceptLanguage: 'id' }), 'id');
    assert.equal(negotiateLang({}), 'en');
  });

  test('messages fill placeholders and leave unknown ones visible', () => {
    const t = defineMessages({ en: { due: 'Due in {hours} h ({rule})' }, id: { due: 'Batas {hours} jam' } });
    assert.equal(t('en', 'due', { hours: 2 }), 'Due in 2 h ({rule})');
    assert.equal(t('id', 'due', { hours: 2 }), 'Batas 2 jam');
  });
});
