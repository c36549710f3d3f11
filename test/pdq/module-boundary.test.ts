import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// src/pdq is what the browser console runs unchanged: it must not reach Node or the rest of
// Perisai. Read the sources and check every import specifier (static, dynamic, re-export).
const PDQ_DIR = fileURLToPath(new URL('../../src/pdq/', import.meta.url));
const SPECIFIER =
  /\b(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mts|js|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

function importSpecifiers(code: string): string[] {
  return [...code.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

test('the specifier scanner sees static, type, re-export and dynamic imports', () => {
  const code = `import { a } from './a.js';\nimport type { B } from "../b.js";\nexport { c } from './c.js';\nimport 'node:fs';\nconst d = await import('node:path');\nimport {\n  e,\n} from 'sharp';`;
  assert.deepEqual(importSpecifiers(code), ['./a.js', '../b.js', './c.js', 'node:fs', 'node:path', 'sharp']);
});

test('src/pdq imports only from itself: no node:, no packages, nothing outside the folder', () => {
  const files = sources(PDQ_DIR);
  assert.ok(
    files.some((f) => f.endsWith('index.ts')),
    'src/pdq/index.ts exists',
  );
  const offences: string[] = [];
  for (const file of files) {
    const code = readFileSync(file, 'utf8');
    for (const spec of importSpecifiers(code)) {
      const inside = spec.startsWith('.') && !relative(PDQ_DIR, resolve(dirname(file), spec)).startsWith('..');
      if (!inside) offences.push(`${relative(PDQ_DIR, file)} imports ${spec}`);
    }
    // Node globals would also break in a browser even without an import.
    for (const name of ['Buffer', 'process', '__dirname', 'require(']) {
      if (new RegExp(`(^|[^\\w.])${name.replace('(', '\\(')}`).test(code.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))) {
        offences.push(`${relative(PDQ_DIR, file)} uses ${name}`);
      }
    }
  }
  assert.deepEqual(offences, []);
});
