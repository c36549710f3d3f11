/**
 * `npm run bench [-- NAME...]`: runs the named benchmarks (all by default) and prints their figures.
 * Figures are for closing notes and docs; no test ever fails on a timing.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  screen: async () => (await import('./screen-bench.js')).runScreenBench(),
  text: async () => (await import('./text-bench.js')).runTextBench(),
  pdq: async () => (await import('./pdq-bench.js')).runPdqBench(),
  image: async () => (await import('./image-bench.js')).runImageBench(),
  mih: async () => (await import('./mih-bench.js')).runMihBench(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(BENCHES).join(', ')}.\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  process.stdout.write(`\n=== ${name} ===\n`);
  await BENCHES[name]!();
}
