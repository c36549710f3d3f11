import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { EXIT, exitCodeOf } from '../../src/cli/io.js';
import { ERROR_CODES, type ErrorCode, PerisaiError } from '../../src/domain/errors.js';
import { httpStatusOf, toHttpError } from '../../src/http/errors.js';

const EXIT_CODES = new Set<number>(Object.values(EXIT));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it('every code has an HTTP status and a CLI exit code', () => {
    for (const code of ERROR_CODES) {
      const status = httpStatusOf(code);
      assert.ok(Number.isInteger(status) && status >= 400 && status < 600, `${code} → ${status}`);
      assert.ok(EXIT_CODES.has(exitCodeOf(code)), `${code} → exit ${exitCodeOf(code)}`);
    }
  });

  it('statuses follow the kind of error: the caller fixes a 4xx, a 5xx is ours', () => {
    for (const code of ERROR_CODES.filter((c) => c.startsWith('invalid_'))) assert.equal(httpStatusOf(code), 400, code);
    assert.equal(toHttpError(new PerisaiError('store_unavailable', 'down', { retryAfterSeconds: 5 })).headers?.['retry-after'], '5');
    assert.equal(toHttpError(new PerisaiError('policy_invalid', 'broken policy')).status, 500);
    assert.equal(exitCodeOf('invalid_arguments'), EXIT.usage);
    assert.equal(exitCodeOf('store_unavailable'), EXIT.failure);
  });

  it('details reach the client on 4xx only', () => {
    assert.deepEqual(toHttpError(new PerisaiError('invalid_hashes', 'bad', { errors: [1] })).body.details, { errors: [1] });
    assert.equal(toHttpError(new PerisaiError('store_unavailable', 'down', { sql: 'select 1' })).body.details, undefined);
  });

  it('every code raised in src is in the closed list (no string codes outside it)', () => {
    const known = new Set<string>(ERROR_CODES);
    const raised = new Set<string>();
    for (const file of sourceFiles('src')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/new PerisaiError\(\s*'([a-z_]+)'/g)) raised.add(match[1] as string);
    }
    assert.ok(raised.size > 10, 'the scan finds the raised codes');
    for (const code of raised) assert.ok(known.has(code), `${code} is raised but not in ERROR_CODES`);
  });

  it('service messages do not name HTTP routes: the CLI raises them too', () => {
    const offenders: string[] = [];
    for (const dir of ['src/services', 'src/domain', 'src/match', 'src/store', 'src/jobs', 'src/text', 'src/image']) {
      for (const file of sourceFiles(dir)) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const code = line.replace(/\/\/.*$/, '').trim();
            if (code.startsWith('*') || code.startsWith('/*')) return;
            if (/['"`][^'"`]*\b(GET|POST|PUT|PATCH|DELETE) \/|['"`][^'"`]*\/v1\//.test(code)) offenders.push(`${file}:${i + 1}: ${code}`);
          });
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('a code is a closed type: an unknown one is rejected by the compiler', () => {
    // @ts-expect-error 'invalid_whatever' is not an ErrorCode; this line fails to compile if codes become open strings.
    const code: ErrorCode = 'invalid_whatever';
    assert.equal(ERROR_CODES.includes(code), false);
  });
});
