// `npm run build` (and `prepare`, so `npm ci` leaves a build): compiles src/ into dist/ with
// tsconfig.build.json, then copies the data files that modules read relative to themselves
// (src/text/lexicons/*.yaml) so dist/ mirrors src/. Plain JavaScript, so building needs nothing
// but the TypeScript compiler.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
// Code is tsc's business. The only JavaScript in src/ is the tsx bootstrap of workers started
// from the sources, which the build never loads.
const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // `npm ci --omit=dev` lands here: the compiler is a development dependency. Checked before
  // dist/ is removed, so a pruned deployment keeps the build it has.
  process.stderr.write(
    'build: the TypeScript compiler is not installed. Build with the development dependencies (`npm ci`), then drop them if you like (`npm prune --omit=dev`): the build runs without them.\n',
  );
  process.exit(1);
}
// A fresh dist/: a module renamed or removed in src/ must not live on in the build.
rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// The console's browser scripts are not compiled (tsconfig.json leaves them out: they have the
// DOM's types); esbuild bundles them from their sources at run time, so they ship as sources.
const BROWSER = join(src, 'http', 'console', 'browser');
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  const inBrowser = (entry.parentPath ?? entry.path).startsWith(BROWSER);
  if (!entry.isFile() || (CODE.has(extname(entry.name)) && !inBrowser)) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  cpSync(from, join(dist, relative(src, from)));
  copied += 1;
}
process.stdout.write(`built ${relative(root, dist)}/ (${copied} data files copied from src/)\n`);
