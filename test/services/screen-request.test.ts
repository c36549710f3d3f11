import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { base64ImageSchema, SCREEN_LIMITS } from '../../src/services/screen-request.js';

const wrap = (text: string, width: number, eol: string) => (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol);

test('base64 decodes to the same bytes flat, wrapped at any width, with LF or CRLF, or as a data URL', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 4, max: 120 }), fc.constantFrom('\n', '\r\n'), (bytes, width, eol) => {
      const flat = Buffer.from(bytes).toString('base64');
      for (const encoded of [flat, wrap(flat, width, eol), wrap(flat, width, eol) + eol, `data:image/png;base64,${wrap(flat, width, eol)}`]) {
        if (encoded.length === 0) continue;
        const parsed = base64ImageSchema.safeParse(encoded);
        assert.ok(parsed.success, encoded);
        assert.deepEqual(Buffer.from(parsed.data), Buffer.from(bytes));
      }
    }),
  );
});

test('base64 with other characters, spaces or broken padding is refused', () => {
  for (const bad of ['QUJD R', 'QU\tJD', 'QUJDR', 'QUJD\n=', '====', 'QUJD\u00a0']) {
    const parsed = base64ImageSchema.safeParse(bad);
    assert.equal(parsed.success, false, JSON.stringify(bad));
    assert.match(parsed.error!.issues[0]!.message, /not valid base64/);
  }
});

test('an image whose decoded size is over the limit is refused with the limit named, whatever its line breaks', () => {
  const over = Buffer.alloc(SCREEN_LIMITS.imageBytes + 3).toString('base64');
  const parsed = base64ImageSchema.safeParse(wrap(over, 76, '\n'));
  assert.equal(parsed.success, false);
  assert.match(parsed.error!.issues[0]!.message, /is too large: an image may be at most 20 MiB/);
});
