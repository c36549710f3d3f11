import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import type { AppContext } from '../app-context.js';
import { BANK_PURPOSES } from '../services/bank-purposes.js';
import { PACKAGE_VERSION } from '../version.js';
import type { SuspendFlags } from './commands/accounts.js';
import type { AuditVerifyFlags } from './commands/audit.js';
import type { CasesListFlags } from './commands/cases.js';
import type { JobsListFlags } from './commands/jobs.js';
import type { PeriodFlags } from './commands/report.js';
import type { SafeguardsFlags, SafeguardsVerifyFlags } from './commands/safeguards.js';
import type { ScreenFlags } from './commands/screen.js';
import type { StoreFlags } from './context.js';
import { EXIT, printError } from './io.js';

// Each command's module is loaded when the command runs, not at start-up: `perisai hash` would
// otherwise pay seconds for the store, the server, the policy engine and the models it never uses.
const load = {
  accounts: () => import('./commands/accounts.js'),
  audit: () => import('./commands/audit.js'),
  bank: () => import('./commands/bank.js'),
  cases: () => import('./commands/cases.js'),
  clocksCheck: () => import('./commands/clocks-check.js'),
  evidence: () => import('./commands/evidence.js'),
  evaluation: () => import('./commands/eval.js'),
  safeguards: () => import('./commands/safeguards.js'),
  hash: () => import('./commands/hash.js'),
  jobs: () => import('./commands/jobs.js'),
  keys: () => import('./commands/keys.js'),
  policyCheck: () => import('./commands/policy-check.js'),
  provenance: () => import('./commands/provenance.js'),
  report: () => import('./commands/report.js'),
  screen: () => import('./commands/screen.js'),
  users: () => import('./commands/users.js'),
};

async function withContext<T>(flags: StoreFlags, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  return (await import('./context.js')).withContext(flags, fn);
}

const PURPOSE_HELP = `purpose: ${BANK_PURPOSES.join(', ')}`;

function storeOptions(command: Command): Command {
  return command
    .addOption(new Option('--db <location>', 'SQLite file path or postgres:// URL (env PERISAI_DB)'))
    .addOption(new Option('--policy <file>', 'policy YAML file (env PERISAI_POLICY; default: the shipped policy)'));
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('give a whole number of worker threads, 0 to 64.');
  return n;
}

/** Runs an action and turns its result or error into the process exit code. */
function run<A extends unknown[]>(action: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await action(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      process.exitCode = printError(error);
    }
  };
}

/** What `perisai serve` takes; the entry point (`src/main.ts`) supplies the server itself. */
export interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  policy?: string;
}

export interface ProgramDeps {
  /** Runs the HTTP API until the process is stopped. Injected so the CLI never imports the HTTP layer. */
  serve: (flags: ServeFlags) => Promise<void>;
}

/** The `perisai` command line: every command, parsed by commander, each a thin call into the services. */
export function createProgram(deps: ProgramDeps): Command {
  const program = new Command('perisai')
    .description('Perisai: a safety layer in front of and behind AI image generation and editing.')
    .version(PACKAGE_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success (allow), 1 failure, 2 usage error, 3 blocked, 4 held for review.
Store: --db PATH|postgres://URL or PERISAI_DB (default data/perisai.db, SQLite).`,
    );

  program
    .command('serve')
    .description('run the HTTP API (default 127.0.0.1:8787)')
    .addOption(new Option('--port <port>', 'port to listen on (env PORT)'))
    .addOption(new Option('--host <host>', 'address to listen on (env HOST)'))
    .addOption(new Option('--db <location>', 'SQLite file path or postgres:// URL (env PERISAI_DB)'))
    .addOption(new Option('--policy <file>', 'policy YAML file (env PERISAI_POLICY)'))
    .action(run((flags: ServeFlags) => deps.serve(flags)));

  storeOptions(
    program
      .command('screen')
      .description('screen one request (--prompt) or a JSONL file of requests (--batch), in-process')
      .option('--prompt <text>', 'the edit or generation instruction')
      .option('--image <file>', 'a reference image (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
      .addOption(new Option('--subject <subject>', 'what the reference image shows').choices(['adult', 'minor', 'none', 'unknown']))
      .option('--requester <id>', 'the requesting account')
      .option('--jurisdiction <cc>', 'ISO country code of the applicable jurisdiction')
      .option('--json', 'print the decision as JSON')
      .option(
        '--batch <file>',
        'JSONL file of requests, one per line ("-" for stdin); prints one decision per line on stdout and a summary on stderr; exit 0 all allowed, 1 a line could not be screened, 2 unreadable file, 3 something blocked, 4 something held for review (the worst wins)',
      ),
  ).action(
    run(async (flags: ScreenFlags & StoreFlags) =>
      withContext(flags, async (ctx) =>
        flags.batch !== undefined ? (await load.screen()).screenBatch(ctx, flags.batch) : (await load.screen()).screenOne(ctx, flags),
      ),
    ),
  );

  program
    .command('hash <files...>')
    .description('print the PDQ hash of each image as `pdq_hex,quality,file` (as the reference pdq-photo-hasher does)')
    .option('--json', 'one JSON object per file with PDQ, SHA-256, MD5 and size')
    .option('--dihedral', 'also the 8 dihedral hashes (rotations and flips)')
    .option('--workers <n>', 'worker threads besides the main one, for many files (default: cores - 2; 0 = none)', parseWorkers)
    .action(
      run(async (files: string[], flags: { json?: boolean; dihedral?: boolean; workers?: number }) =>
        (await load.hash()).hashFiles(files, { json: flags.json, dihedral: flags.dihedral }, (line) => process.stdout.write(`${line}\n`), undefined, {
          workers: flags.workers,
        }),
      ),
    );

  const evaluation = program.command('eval').description('measure the screening pipeline on labelled data (in-memory store; nothing is recorded)');
  evaluation
    .command('prompts <file>')
    .description(
      "recall on block rows and false blocks on allow rows of a TSV (lang, reference, expected, category, text, or labelled requests), per language and category, for the lexicon alone, the model alone and the policy's combination",
    )
    .option('--policy <file>', 'policy YAML file (default: the shipped policy)')
    .option('--external <dir>', 'also the external sets in DIR (e.g. ../shared/eval/external)')
    .option('--split <split>', 'for the corpus: only the train or validation rows')
    .action(run(async (file: string, flags: { policy?: string; external?: string; split?: string }) => (await load.evaluation()).evalPrompts(file, flags)));
  evaluation
    .command('external [dir]')
    .description('COCO false flags, Ring-A-Bell recall, OpenAI moderation S/S3 precision and recall')
    .option('--policy <file>', 'policy YAML file (default: the shipped policy)')
    .action(
      run(async (dir: string | undefined, flags: { policy?: string }) => (await load.evaluation()).evalExternal(dir ?? '../shared/eval/external', flags)),
    );

  program
    .command('clocks')
    .description('work with legal clock rules files')
    .command('check <file>')
    .description('validate a clock rules file (PERISAI_CLOCKS_FILE) and list its rules, or explain each problem with its line number')
    .action(run(async (file: string) => (await load.clocksCheck()).clocksCheck(file)));

  const policy = program.command('policy').description('work with policy files');
  policy
    .command('check <file>')
    .description('validate a policy file and explain each problem with its line number')
    .action(run(async (file: string) => (await load.policyCheck()).policyCheck(file)));

  program
    .command('provenance')
    .description('C2PA provenance manifests of generated images')
    .command('verify <file>')
    .description("print what a PNG's or JPEG's C2PA manifest says and check its signature and hash binding; exit 0 valid, 1 absent or invalid")
    .option('--json', 'print the report as JSON')
    .action(run(async (file: string, flags: { json?: boolean }) => (await load.provenance()).provenanceVerify(file, flags)));

  const audit = program.command('audit').description('the tamper-evident audit log');
  storeOptions(
    audit
      .command('verify')
      .description("walk the hash chain, recompute every decision row's digest, and name the first break")
      .option('--checkpoint <file>', 'also check a signed checkpoint: fails if the log holds fewer entries, or another hash at its entry')
      .option('--public-key <file>', "the audit public key (PEM) the checkpoint must be signed with (default: this deployment's audit key)")
      .option('--json', 'print the result as JSON'),
  ).action(run((flags: StoreFlags & AuditVerifyFlags) => withContext(flags, async (ctx) => (await load.audit()).auditVerify(ctx, flags))));
  storeOptions(
    audit
      .command('checkpoint')
      .description("sign the chain's length and head hash with the audit key (kept outside the database)")
      .option('--out <file>', 'write it to this file (never overwritten) instead of stdout'),
  ).action(run((flags: StoreFlags & { out?: string }) => withContext(flags, async (ctx) => (await load.audit()).auditCheckpoint(ctx, flags))));
  storeOptions(audit.command('export').description('print every entry as JSON lines, in order').option('--after <n>', 'only entries after this one')).action(
    run((flags: StoreFlags & { after?: string }) => withContext(flags, async (ctx) => (await load.audit()).auditExport(ctx, flags))),
  );
  storeOptions(audit.command('public-key').description('print the audit public key (PEM), for auditors who check checkpoints')).action(
    run((flags: StoreFlags) => withContext(flags, async (ctx) => (await load.audit()).auditPublicKey(ctx))),
  );

  const keys = program.command('keys').description('API keys');
  storeOptions(
    keys
      .command('create <name>')
      .description('create an API key and print its secret once')
      .option(
        '--scopes <scopes>',
        'comma-separated: screen, images, decisions:read, consent, banks, reports, cases, enforcement, audit, metrics, admin',
        'screen',
      ),
  ).action(
    run(async (name: string, flags: StoreFlags & { scopes: string }) =>
      withContext(flags, async (ctx) => (await load.keys()).keysCreate(ctx, name, flags.scopes)),
    ),
  );
  storeOptions(keys.command('list').description('list API keys (never their secrets)')).action(
    run(async (flags: StoreFlags) => withContext(flags, async (ctx) => (await load.keys()).keysList(ctx))),
  );
  storeOptions(keys.command('revoke <id>').description('revoke an API key')).action(
    run(async (id: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.keys()).keysRevoke(ctx, id))),
  );

  const users = program.command('users').description('people who sign in to the web console (/console)');
  storeOptions(
    users
      .command('create <email>')
      .description('create a console user; the password is read from stdin when piped, else generated and printed once')
      .option('--role <role>', 'what the user may do: reviewer (the queue and cases) or admin (also banks, users and keys)'),
  ).action(
    run(async (email: string, flags: StoreFlags & { role?: string }) =>
      withContext(flags, async (ctx) => (await load.users()).usersCreate(ctx, email, flags.role)),
    ),
  );
  storeOptions(users.command('list').description('list console users with their role and status (never their passwords)')).action(
    run(async (flags: StoreFlags) => withContext(flags, async (ctx) => (await load.users()).usersList(ctx))),
  );
  storeOptions(users.command('disable <email>').description('disable a console user and end their sessions')).action(
    run(async (email: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.users()).usersDisable(ctx, email))),
  );

  const jobs = program.command('jobs').description('actions waiting to be carried out, running, done or failed (the outbox)');
  storeOptions(
    jobs
      .command('list')
      .description('list jobs, newest first, with a count per status')
      .option('--status <status>', 'only jobs in this status: pending, queued, running, done, failed')
      .option('--kind <kind>', 'only jobs of this kind (strike, escalate, open_case, ...)')
      .option('--limit <n>', 'at most this many (default 50)')
      .option('--json', 'one JSON object per line'),
  ).action(run(async (flags: StoreFlags & JobsListFlags) => withContext(flags, async (ctx) => (await load.jobs()).jobsList(ctx, flags))));
  storeOptions(jobs.command('retry <id>').description('give a failed job a fresh set of attempts')).action(
    run(async (id: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.jobs()).jobsRetry(ctx, id))),
  );

  const escalations = program.command('escalations').description('child-safety report packages (NCMEC CyberTipline), for a person to check and submit');
  storeOptions(
    escalations
      .command('list')
      .description('packages, newest first')
      .option('--case <id>', 'only the package of this case')
      .option('--json', 'one JSON object per line'),
  ).action(
    run(async (flags: StoreFlags & { case?: string; json?: boolean }) =>
      withContext(flags, async (ctx) => (await load.evidence()).escalationsList(ctx, flags)),
    ),
  );
  storeOptions(escalations.command('show <id>').description('one package as JSON: report XML, file details, ledger trace, evidence')).action(
    run(async (id: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.evidence()).escalationsShow(ctx, id))),
  );
  storeOptions(
    escalations
      .command('export <id>')
      .description('write the package files (report.xml, fileDetails-N.xml, trace.json) for submission; Perisai never submits')
      .requiredOption('--out <dir>', 'directory to write to (created owner-only)')
      .option('--with-evidence', 'also write the decrypted images (owner-only files; each read is audited)'),
  ).action(
    run(async (id: string, flags: StoreFlags & { out: string; withEvidence?: boolean }) =>
      withContext(flags, async (ctx) => (await load.evidence()).escalationsExport(ctx, id, flags)),
    ),
  );

  const evidence = program.command('evidence').description('images kept as evidence, encrypted: retention, legal holds, purge');
  storeOptions(
    evidence
      .command('list')
      .description('kept items, newest first (never the pixels)')
      .option('--case <id>', 'only items of this case')
      .option('--json', 'one JSON object per line'),
  ).action(
    run(async (flags: StoreFlags & { case?: string; json?: boolean }) => withContext(flags, async (ctx) => (await load.evidence()).evidenceList(ctx, flags))),
  );
  storeOptions(evidence.command('show <id>').description('one item as JSON')).action(
    run(async (id: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.evidence()).evidenceShow(ctx, id))),
  );
  storeOptions(
    evidence
      .command('hold <id>')
      .description('put an item under a legal hold: kept whatever its retention')
      .option('--reason <text>', 'why (e.g. the preservation request)'),
  ).action(
    run(async (id: string, flags: StoreFlags & { reason?: string }) => withContext(flags, async (ctx) => (await load.evidence()).evidenceHold(ctx, id, flags))),
  );
  storeOptions(evidence.command('release <id>').description('lift a legal hold; the item goes at the next purge once its retention has passed')).action(
    run(async (id: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.evidence()).evidenceRelease(ctx, id))),
  );
  storeOptions(evidence.command('purge').description('run the retention sweep now: purge expired evidence, redact expired prompts')).action(
    run(async (flags: StoreFlags) => withContext(flags, async (ctx) => (await load.evidence()).evidencePurge(ctx))),
  );

  const cases = program.command('cases').description('reported content, its legal clock and what was done (notice and takedown)');
  storeOptions(
    cases
      .command('list')
      .description('the queue, soonest deadline first')
      .option('--state <state>', 'open, in_review, actioned, declined, appealed or closed')
      .option('--jurisdiction <code>', 'ISO 3166-1 alpha-2 or EU')
      .option('--category <category>', 'ncii, csam, sexual_deepfake, nudity or other')
      .option('--assignee <who>', 'only cases assigned to this reviewer')
      .option('--overdue', 'only cases past their deadline')
      .option('--limit <n>', 'at most this many (default 50)')
      .option('--cursor <cursor>', 'the next page, as the previous one printed')
      .option('--json', 'one JSON object per line'),
  ).action(run(async (flags: StoreFlags & CasesListFlags) => withContext(flags, async (ctx) => (await load.cases()).casesList(ctx, flags))));
  storeOptions(cases.command('show <id>').description('one case: reports, history, webhooks, ledger trace').option('--json', 'as JSON')).action(
    run(async (id: string, flags: StoreFlags & { json?: boolean }) =>
      withContext(flags, async (ctx) => (await load.cases()).casesShow(ctx, id, flags.json ?? false)),
    ),
  );
  storeOptions(
    cases
      .command('act <id> <action>')
      .description(`act on a case; <action> is JSON as the API takes it, e.g. '{"type":"remove","reason":"…"}'`)
      .option('--json', 'print the case as JSON'),
  ).action(
    run(async (id: string, action: string, flags: StoreFlags & { json?: boolean }) =>
      withContext(flags, async (ctx) => (await load.cases()).casesAct(ctx, id, action, 'cli', flags.json ?? false)),
    ),
  );

  const report = program.command('report').description('reports for regulators: statements of reasons, transparency figures, the signed safeguards report');
  const periodOptions = (command: Command): Command =>
    storeOptions(command)
      .requiredOption('--from <iso>', 'start of the period, inclusive (ISO 8601, e.g. 2026-11-01T00:00:00Z)')
      .requiredOption('--to <iso>', 'end of the period, exclusive (ISO 8601)');
  periodOptions(
    report
      .command('sor')
      .description('statements of reasons of the period, as the EU Transparency Database bulk API takes them ({"statements":[…]}, at most 100 each)')
      .option('--out <dir>', 'write one file per batch (statements-0001.json, …) into this directory; default: one batch per line on stdout'),
  ).action(run(async (flags: StoreFlags & PeriodFlags & { out?: string }) => withContext(flags, async (ctx) => (await load.report()).reportSor(ctx, flags))));
  periodOptions(
    report
      .command('transparency')
      .description('transparency figures of the period per jurisdiction and category (docs/transparency.md)')
      .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json')),
  ).action(
    run(async (flags: StoreFlags & PeriodFlags & { format?: string }) =>
      withContext(flags, async (ctx) => (await load.report()).reportTransparency(ctx, flags)),
    ),
  );

  storeOptions(
    report
      .command('safeguards')
      .description(
        'measure block and false-block rates on named evaluation sets through the real pipeline, and sign them with the policy, detector and clock versions and the audit chain head',
      )
      .requiredOption('--out <file>', 'where to write the signed report (never overwritten)')
      .option('--eval <file...>', 'labelled evaluation sets (TSV) to measure (default: corpus/text/heldout/round-1..3.tsv)')
      .option('--from <date>', 'start of the period whose transparency figures the report includes (ISO 8601)')
      .option('--to <date>', 'end of the period (exclusive)'),
  ).action(run((flags: StoreFlags & SafeguardsFlags) => withContext(flags, async (ctx) => (await load.safeguards()).safeguardsReport(ctx, flags))));
  storeOptions(
    report
      .command('verify <file>')
      .description('check a safeguards report: its signature, then every figure measured again on the evaluation sets it names')
      .option('--public-key <file>', "the operator's published audit public key (PEM); without it the key the report carries is used")
      .option('--eval <file...>', 'where the evaluation sets are, if not at the paths the report names')
      .option('--json', 'print the result as JSON'),
  ).action(
    run((file: string, flags: StoreFlags & SafeguardsVerifyFlags) =>
      withContext(flags, async (ctx) => (await load.safeguards()).safeguardsVerify(ctx, file, flags)),
    ),
  );

  const accounts = program.command('accounts').description("an account's strikes and suspensions: show, suspend, reinstate");
  storeOptions(accounts.command('show <id>').description('standing, active and expired strikes, suspension, history').option('--json', 'as JSON')).action(
    run(async (id: string, flags: StoreFlags & { json?: boolean }) =>
      withContext(flags, async (ctx) => (await load.accounts()).accountsShow(ctx, id, flags.json ?? false)),
    ),
  );
  storeOptions(
    accounts
      .command('suspend <id>')
      .description('suspend an account: its requests are refused; without --until or --days, until reinstated')
      .option('--reason <text>', 'why, in a sentence the account holder can be told (required)')
      .option('--until <time>', 'when it ends, ISO 8601')
      .option('--days <n>', 'how many days it lasts')
      .option('--json', 'print the account as JSON'),
  ).action(
    run(async (id: string, flags: StoreFlags & SuspendFlags) => withContext(flags, async (ctx) => (await load.accounts()).accountsSuspend(ctx, id, flags))),
  );
  storeOptions(
    accounts
      .command('reinstate <id>')
      .description('end every suspension in force on the account (its strikes stay)')
      .option('--reason <text>', 'why (required)')
      .option('--json', 'print the account as JSON'),
  ).action(
    run(async (id: string, flags: StoreFlags & { reason?: string; json?: boolean }) =>
      withContext(flags, async (ctx) => (await load.accounts()).accountsReinstate(ctx, id, flags)),
    ),
  );

  const bank = program.command('bank').description('hash banks of known abuse, intimate imagery and takedowns');
  const formatOption = () => new Option('--format <format>', 'hash list format').choices(['pdq', 'csv', 'jsonl']);
  storeOptions(
    bank
      .command('create <name>')
      .description('create a bank')
      .requiredOption('--purpose <purpose>', PURPOSE_HELP)
      .option('--description <text>', 'what the bank holds and where it comes from')
      .option('--min-quality <n>', 'refuse hashes below this PDQ quality (default 50)')
      .option('--max-distance <n>', 'match within this Hamming distance (default 31)'),
  ).action(
    run(async (name: string, flags: StoreFlags & { purpose: string; description?: string; minQuality?: string; maxDistance?: string }) =>
      withContext(flags, async (ctx) => (await load.bank()).bankCreate(ctx, name, flags)),
    ),
  );
  storeOptions(bank.command('list').description('list banks with their hash counts').option('--json', 'one JSON object per line')).action(
    run(async (flags: StoreFlags & { json?: boolean }) => withContext(flags, async (ctx) => (await load.bank()).bankList(ctx, flags.json ?? false))),
  );
  storeOptions(
    bank
      .command('import <name> <file>')
      .description('import a hash list ("-" for stdin): pdq_hex,quality[,label] lines as `perisai hash` prints, CSV with a header, or JSONL; all or nothing')
      .addOption(formatOption()),
  ).action(
    run(async (name: string, file: string, flags: StoreFlags & { format?: 'pdq' | 'csv' | 'jsonl' }) =>
      withContext(flags, async (ctx) => (await load.bank()).bankImport(ctx, name, file, flags.format)),
    ),
  );
  storeOptions(
    bank.command('export <name>').description('print the bank, one hash a line (stdout holds only the data)').addOption(formatOption().default('jsonl')),
  ).action(
    run(async (name: string, flags: StoreFlags & { format: 'pdq' | 'csv' | 'jsonl' }) =>
      withContext(flags, async (ctx) => (await load.bank()).bankExport(ctx, name, flags.format)),
    ),
  );
  storeOptions(
    bank
      .command('add <name> <pdq>')
      .description('add one hash')
      .option('--quality <n>', 'PDQ quality of the hash', '100')
      .option('--label <text>', 'a label for the hash'),
  ).action(
    run(async (name: string, pdq: string, flags: StoreFlags & { quality: string; label?: string }) =>
      withContext(flags, async (ctx) => (await load.bank()).bankAdd(ctx, name, pdq, flags)),
    ),
  );
  storeOptions(bank.command('remove <name> <pdq>').description('remove one hash')).action(
    run(async (name: string, pdq: string, flags: StoreFlags) => withContext(flags, async (ctx) => (await load.bank()).bankRemove(ctx, name, pdq))),
  );

  return program;
}

/** Parses `argv` and runs the command; the outcome becomes `process.exitCode`. */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  // Commander copies settings into a subcommand when it is created, so the override is set on
  // every command here: a usage error anywhere exits 2, not commander's own exit 1.
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      process.exitCode = printError(error);
    }
  }
}
