import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { canonicalJson } from '../../src/domain/canonical-json.js';

const json = fc.jsonValue({ noUnicodeString: false });

test('canonical JSON parses back to an equal value', () => {
  fc.assert(
    fc.property(json, (value) => {
      assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
    }),
  );
});

test('key order does not change the canonical form', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), json), (record) => {
      const reversed = Object.fromEntries(Object.entries(record).reverse());
      assert.equal(canonicalJson(record), canonicalJson(reversed));
    }),
  );
});

test('canonical form is a fixed point', () => {
  fc.assert(fc.property(json, (value) => assert.equal(canonicalJson(JSON.parse(canonicalJson(value))), canonicalJson(value))));
});

test('undefined members are dropped and non-JSON values are refused', () => {
  assert.equal(canonicalJson({ b: 1, a: undefined, c: [undefined] }), '{"b":1,"c":[null]}');
  assert.throws(() => canonicalJson({ a: Number.NaN }), /cannot be represented/);
  assert.throws(() => canonicalJson({ a: () => 1 }), /function cannot be represented/);
});
