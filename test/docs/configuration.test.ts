import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The rows of the reference table: the first cell of each table line, without its backticks. */
function documented(): Set<string> {
  const names = new Set<string>();
  for (const line of DOC.split('\n')) {
    const cell = /^\| `([^`]+)`/.exec(line)?.[1];
    if (cell) names.add(cell.split(' ')[0]!);
  }
  return names;
}

test('every environment variable the code reads has a row in docs/configuration.md', () => {
  const read = new Set<string>();
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) read.add(match[1]!);
    for (const match of text.matchAll(/process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g)) read.add(match[1]!);
  }
  // The scan must find the settings it is meant to guard; an empty set would pass vacuously.
  assert.ok(read.has('PERISAI_DB') && read.has('PORT'), [...read].join(', '));
  const rows = documented();
  const missing = [...read].filter((name) => !rows.has(name));
  assert.deepEqual(missing, [], `add a row to docs/configuration.md for ${missing.join(', ')}`);
});

test('every PERISAI_ variable named in config, audit key and server sources is documented', () => {
  const rows = documented();
  for (const file of ['src/config.ts', 'src/audit-key.ts', 'src/server.ts']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [name] of text.matchAll(/PERISAI_[A-Z0-9_]+/g)) assert.ok(rows.has(name), `${file} names ${name}; add it to docs/configuration.md`);
  }
});

test('the options of serve and the store options are documented', () => {
  const program = readFileSync(join(ROOT, 'src/cli/program.ts'), 'utf8');
  const rows = documented();
  // Options that say which environment variable they stand for configure the runtime.
  const options = [...program.matchAll(/'(--[a-z-]+) <[a-z]+>', '[^']*\(env [A-Z_]+/g)].map((m) => m[1]!);
  assert.ok(options.includes('--db') && options.includes('--port'), options.join(', '));
  for (const option of [...options, '--workers', '--batch']) assert.ok(rows.has(option), `add ${option} to docs/configuration.md`);
});
