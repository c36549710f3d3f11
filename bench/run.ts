/**
 * `npm run bench [-- NAME... [--option value...]]`: runs the named benchmarks (all by default)
 * and prints their figures. Options after the names go to the benchmarks that take them
 * (`npm run bench -- mih --n 100000000`).
 * Figures are for closing notes and docs; no test ever fails on a timing.
 */
const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  screen: async () => (await import('./screen-bench.js')).runScreenBench(),
  text: async () => (await import('./text-bench.js')).runTextBench(),
  pdq: async () => (await import('./pdq-bench.js')).runPdqBench(),
  image: async () => (await import('./image-bench.js')).runImageBench(),
  provenance: async () => (await import('./provenance-bench.js')).runProvenanceBench(),
  protected: async (args) => (await import('./protected-bench.js')).runProtectedBench(args),
  mih: async (args) => {
    const mih = await import('./mih-bench.js');
    return mih.runMihBench(mih.parseMihArgs(args));
  },
  'bank-import': async (args) => {
    const bench = await import('./bank-import-bench.js');
    return bench.runBankImportBench(bench.parseBankImportArgs(args));
  },
  sor: async (args) => {
    const bench = await import('./sor-bench.js');
    return bench.runSorBench(bench.parseSorArgs(args));
  },
  console: async (args) => (await import('./console-bench.js')).runConsoleBench(args),
  guard: async (args) => {
    const bench = await import('./guard-bench.js');
    return bench.runGuardBench(bench.parseGuardArgs(args));
  },
  accounts: async (args) => {
    const bench = await import('./accounts-bench.js');
    return bench.runAccountsBench(bench.parseAccountsArgs(args));
  },
  cases: async (args) => {
    const bench = await import('./cases-bench.js');
    return bench.runCasesBench(bench.parseCasesArgs(args));
  },
};

const argv = process.argv.slice(2);
const firstOption = argv.findIndex((arg) => arg.startsWith('--'));
const wanted = firstOption < 0 ? argv : argv.slice(0, firstOption);
const args = firstOption < 0 ? [] : argv.slice(firstOption);
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(BENCHES).join(', ')}.\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  process.stdout.write(`\n=== ${name} ===\n`);
  await BENCHES[name]!(args);
}
