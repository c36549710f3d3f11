#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`; `npm ci` builds it through `prepare`).
// Plain Node and compiled JavaScript: no TypeScript compiler or loader starts with the command.
// When dist/ is missing the command says so and stops rather than falling back to the sources,
// so what runs is always the build and start-up stays that of compiled code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`perisai: the compiled build is missing (${fileURLToPath(main)}). Run \`npm run build\` (or \`npm ci\`) in ${root} first.\n`);
  process.exit(1);
}
// Stack traces name src/*.ts lines (dist/ carries source maps); the shebang cannot pass
// --enable-source-maps portably, and it must be on before the modules load.
process.setSourceMapsEnabled(true);
await import(main.href);
