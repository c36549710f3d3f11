import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { z } from 'zod';

import { isPerisaiError } from '../../src/domain/errors.js';
import { parseInput } from '../../src/services/parse-input.js';

const text = z.string().max(3, 'is too long: at most 3 characters');
const schema = z.strictObject({
  input: z.union([text, z.array(text).max(2, 'has too many strings: at most 2'), z.array(z.strictObject({ type: z.literal('part') }))]),
});

function messageOf(value: unknown): string {
  try {
    parseInput(schema, value, 'body');
  } catch (error) {
    assert.ok(isPerisaiError(error));
    assert.equal(error.code, 'invalid_request');
    return error.message;
  }
  assert.fail('expected the input to be refused');
}

describe('parseInput on a union', () => {
  test('reports the issue of the one shape that fits the value, under its full path', () => {
    assert.equal(messageOf({ input: ['a', 'b', 'c'] }), 'body.input has too many strings: at most 2.');
    assert.equal(messageOf({ input: ['abcd'] }), 'body.input[0] is too long: at most 3 characters.');
    assert.equal(messageOf({ input: [{ type: 'other' }] }), 'body.input[0].type must be one of "part".');
  });

  test('names the accepted types when no shape fits, instead of zod’s bare "Invalid input"', () => {
    assert.equal(messageOf({ input: 5 }), 'body.input must be a string or an array, not a number.');
    assert.equal(messageOf({ input: null }), 'body.input must be a string or an array, not null.');
  });

  test('keeps a union’s own message, and lists three or more types with commas', () => {
    const own = z.strictObject({ v: z.union([z.string(), z.number()], { error: 'must be a string or number' }) });
    assert.throws(() => parseInput(own, { v: [] }, 'body'), /^PerisaiError: body\.v must be a string or number\.$|body\.v must be a string or number\./);
    const three = z.strictObject({ v: z.union([z.string(), z.number(), z.null()]) });
    assert.throws(() => parseInput(three, { v: [] }, 'body'), /body\.v must be a string, a number or null, not an array\./);
  });

  test('passes a valid value of each shape through', () => {
    assert.deepEqual(parseInput(schema, { input: 'abc' }, 'body'), { input: 'abc' });
    assert.deepEqual(parseInput(schema, { input: ['a', 'b'] }, 'body'), { input: ['a', 'b'] });
    assert.deepEqual(parseInput(schema, { input: [{ type: 'part' }] }, 'body'), { input: [{ type: 'part' }] });
  });
});
