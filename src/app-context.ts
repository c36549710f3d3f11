import { type AuditKey, loadAuditKey } from './audit-key.js';
import type { Config } from './config.js';
import { type Clock, systemClock } from './domain/clock.js';
import type { ClockRules } from './domain/clocks/index.js';
import type { Policy } from './domain/policy/schema.js';
import type { TextDetector } from './domain/signals.js';
import { loadEvidenceKey } from './evidence-key.js';
import { createImageAnalyser } from './image/image-analyser.js';
import { loadClockRules } from './policy/clocks-file.js';
import { loadPolicyFile } from './policy/policy-file.js';
import type { SignerCredentials } from './provenance/credentials.js';
import { C2paProvenanceMarker, fixedSigner } from './provenance/marker.js';
import { lazySigner, type LoadedSigner } from './provenance-signer.js';
import { AccountsService, AccountStandingMatcher } from './services/accounts.js';
import { ApiKeyService } from './services/api-keys.js';
import { AppealsService } from './services/appeals.js';
import { AuditService } from './services/audit.js';
import { BankMatcher, BankService } from './services/banks.js';
import { CaseAlertsService } from './services/case-alerts.js';
import { type CaseImageSource, CaseImagesService, NO_CASE_IMAGES } from './services/case-images.js';
import { CasesService } from './services/cases.js';
import { ConsentMatcher, ConsentService } from './services/consent.js';
import { type ConsoleUsersOptions, ConsoleUsersService } from './services/console-users.js';
import { DecisionRecorder } from './services/decision-recorder.js';
import { EscalationService } from './services/escalations.js';
import { EvidenceService } from './services/evidence.js';
import { HashIndexes } from './services/hash-indexes.js';
import { HealthService } from './services/health.js';
import { ImageGuardService } from './services/image-guard.js';
import { GUARD_LIMITS } from './services/image-guard-input.js';
import { IndexMaintenance } from './services/index-maintenance.js';
import { type JobsOptions, JobsService } from './services/jobs.js';
import { LedgerService } from './services/ledger.js';
import { ModerationService } from './services/moderation.js';
import type { ImageAnalyser, Matcher, ProvenanceMarker } from './services/ports.js';
import { ReportsService } from './services/reports.js';
import { RetentionService } from './services/retention.js';
import { ScreeningService } from './services/screening.js';
import { StatementsService } from './services/sor.js';
import { TransparencyService } from './services/transparency.js';
import { UnitOfWork } from './services/unit-of-work.js';
import { WEBHOOK_JOB_KIND, WebhookService } from './services/webhooks.js';
import { openStore, type Store } from './store/store.js';
import { createTextDetector } from './text/index.js';
import { OpenAiImagesUpstream } from './upstream/openai-images.js';
import { PACKAGE_VERSION } from './version.js';

/**
 * Everything a process needs, wired in one place. The server, the CLI and the tests build it
 * here. It holds services, never the store: `http/` and `cli/` reach data only through them.
 */
export interface AppContext {
  config: Config;
  clock: Clock;
  policy: Policy;
  /** The legal clock rules (PERISAI_CLOCKS_FILE), with PERISAI_CLOCK_ALERT_AT applied. */
  clockRules: ClockRules;
  /** Where the data lives, safe to print. */
  storeInfo: { dialect: Store['dialect']; location: string };
  textDetector: TextDetector;
  imageAnalyser: ImageAnalyser;
  /** Starts the image model workers ahead of the first image. */
  warmUpImageModels(): void;
  screening: ScreeningService;
  /** OpenAI-compatible moderation: screening in OpenAI's categories. */
  moderation: ModerationService;
  apiKeys: ApiKeyService;
  audit: AuditService;
  indexes: HashIndexes;
  consent: ConsentService;
  banks: BankService;
  ledger: LedgerService;
  health: HealthService;
  jobs: JobsService;
  webhooks: WebhookService;
  reports: ReportsService;
  cases: CasesService;
  /** People who sign in to the web console, and their sessions. */
  consoleUsers: ConsoleUsersService;
  /** A case's images behind the reviewer's shield: blurred until a recorded reveal. */
  caseImages: CaseImagesService;
  /** Statements of reasons (DSA Art. 17): one per restricting action, exported for the EU Transparency Database. */
  statements: StatementsService;
  /** Transparency figures for a period (GET /v1/transparency, perisai report transparency). */
  transparency: TransparencyService;
  /** The guarded OpenAI-compatible image API: screen, forward to PERISAI_UPSTREAM_URL, screen and sign each output. */
  imageGuard: ImageGuardService;
  /** Strikes, suspensions and reinstatements (docs/enforcement.md). */
  accounts: AccountsService;
  /** Appeals of decisions and cases, heard as appeal cases. */
  appeals: AppealsService;
  /** Prunes the index change log (the server runs it hourly). */
  indexMaintenance: IndexMaintenance;
  /** Deadline alerts on cases; `perisai serve` sweeps every PERISAI_CLOCK_SWEEP_SECONDS. */
  caseAlerts: CaseAlertsService;
  /** Encrypted evidence: kept images, holds, purge. */
  evidence: EvidenceService;
  /** Child-safety report packages (CyberTipline), for a person to submit. */
  escalations: EscalationService;
  /** Evidence purge and prompt redaction; `perisai serve` runs it hourly. */
  retention: RetentionService;
  /** The audit key, loaded or created on first call (`perisai serve` calls it at start). */
  auditKey(): AuditKey;
  /** Labels and signs allowed outputs (C2PA); its signer is loaded on the first signature. */
  provenance: ProvenanceMarker;
  /**
   * Loads the C2PA signer now, creating the development signer on first use, and checks it can
   * sign (`perisai serve` calls it at start, so a bad certificate stops the server).
   */
  provenanceSigner(): Promise<Pick<LoadedSigner, 'source' | 'created'> & { subject: string; development: boolean }>;
  close(): Promise<void>;
}

export interface ContextOverrides {
  store?: Store;
  clock?: Clock;
  policy?: Policy;
  clockRules?: ClockRules;
  textDetector?: TextDetector;
  imageAnalyser?: ImageAnalyser;
  matchers?: Matcher[];
  jobs?: JobsOptions;
  /** A PostgreSQL connection failed while idle; the pool replaces it (for the log). */
  onStoreConnectionError?: (error: Error) => void;
  /** The checkpoint signing key; default: loaded (or created) on first use, see audit-key.ts. */
  auditKey?: AuditKey;
  /** Lock-out, session lifetimes and scrypt cost of console users (tests make hashing cheap). */
  consoleUsers?: ConsoleUsersOptions;
  /** Where case images come from; default: none (the store keeps only hashes of reported images). */
  caseImages?: CaseImageSource;
  /** The C2PA signer; default: the configured files or the development signer, see provenance-signer.ts. */
  provenanceCredentials?: SignerCredentials;
}

/** The claim generator every manifest names (the version is the package's, as in http/server.ts). */
export const CLAIM_GENERATOR = { name: 'Perisai', version: PACKAGE_VERSION };

export async function createAppContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const clock = overrides.clock ?? systemClock;
  const policy = overrides.policy ?? loadPolicyFile(config.policyPath);
  const fileClockRules = overrides.clockRules ?? (await loadClockRules(config.clocksPath));
  const clockRules: ClockRules = config.clockAlertAt
    ? { ...fileClockRules, alerts: { remainingFractions: [...config.clockAlertAt].sort((a, b) => b - a) } }
    : fileClockRules;
  const store =
    overrides.store ??
    (await openStore(config.db, { clock, ...(overrides.onStoreConnectionError ? { onConnectionError: overrides.onStoreConnectionError } : {}) }));
  // The detector explains each model head from the score at which this policy uses it.
  const textDetector = overrides.textDetector ?? createTextDetector({ evidenceThresholds: policy.text_model.thresholds });
  // Cheap to create: the model workers start on the first image.
  const ownAnalyser = createImageAnalyser({ models: config.imageDetectors });
  const imageAnalyser = overrides.imageAnalyser ?? ownAnalyser;

  let auditKey = overrides.auditKey;
  const getAuditKey = (): AuditKey => (auditKey ??= loadAuditKey(config));

  // Nothing is read or created until the first signature (or `provenanceSigner()`): commands
  // that never sign leave no development signer behind.
  const lazy = lazySigner(config, clock, CLAIM_GENERATOR);
  const givenCredentials = overrides.provenanceCredentials;
  const provenance = new C2paProvenanceMarker(givenCredentials ? fixedSigner(givenCredentials) : lazy, CLAIM_GENERATOR);
  const provenanceSigner = async () => {
    if (givenCredentials) return { source: 'provided by the caller', created: false, ...provenance.signer };
    const { source, created, credentials } = await lazy.load();
    return { source, created, subject: credentials.subject, development: credentials.development };
  };

  const uow = new UnitOfWork(store, clock);
  const indexes = new HashIndexes(store.db);
  await indexes.load();
  const jobs = new JobsService(store, clock, overrides.jobs);
  const webhooks = new WebhookService(uow, clock, {
    url: config.webhookUrl,
    secret: config.webhookSecret,
    timeoutSeconds: config.webhookTimeoutSeconds,
    ...(overrides.jobs?.retry ? { retry: overrides.jobs.retry } : {}),
  });
  jobs.register(WEBHOOK_JOB_KIND, webhooks.handler);
  // A write answers only once this process's indexes show it; enqueued jobs start at once.
  uow.onCommit(async (effects) => {
    if (effects.indexChanged) await indexes.refresh();
    if (effects.jobsEnqueued > 0) jobs.wake();
  });

  const banks = new BankService(uow);
  const ledger = new LedgerService(store.db, indexes);
  const evidence = new EvidenceService({ uow, key: loadEvidenceKey(config), retentionDays: config.evidenceRetentionDays });
  const escalations = new EscalationService({ uow, evidence, ledger });
  jobs.register('escalate', escalations.escalateHandler);
  const bankMatcher = new BankMatcher(store.db, indexes);
  const screening = new ScreeningService({
    policy: () => policy,
    db: store.db,
    textDetector,
    imageAnalyser,
    matchers: overrides.matchers ?? [new ConsentMatcher(store.db, indexes), new BankMatcher(store.db, indexes), new AccountStandingMatcher(store.db, clock)],
    recorder: new DecisionRecorder(uow),
    clock,
    evidence,
  });
  const statements = new StatementsService(uow);
  const accounts = new AccountsService({ uow, clock, policy: () => policy, webhooks, statements });
  jobs.register('strike', accounts.strikeHandler);
  const appeals = new AppealsService({ uow, clockRules: () => clockRules, webhooks, accounts });
  const cases = new CasesService({ uow, clock, clockRules: () => clockRules, banks, webhooks, ledger, bankMatcher, statements, appeals, escalations });
  jobs.register('open_case', cases.openCaseHandler);
  const upstream = config.upstreamUrl
    ? new OpenAiImagesUpstream({ url: config.upstreamUrl, key: config.upstreamKey, timeoutMs: config.upstreamTimeoutSeconds * 1000, maxImages: GUARD_LIMITS.n })
    : undefined;
  const imageGuard = new ImageGuardService({ screening, upstream, provenance, policy: () => policy });
  return {
    config,
    clock,
    policy,
    clockRules,
    storeInfo: { dialect: store.dialect, location: store.location },
    textDetector,
    imageAnalyser,
    warmUpImageModels: () => ownAnalyser.warmUp(),
    screening,
    moderation: new ModerationService(screening),
    apiKeys: new ApiKeyService(uow),
    audit: new AuditService(store.db, clock, getAuditKey),
    auditKey: getAuditKey,
    provenance,
    provenanceSigner,
    indexes,
    consent: new ConsentService(uow, { maxProtectedHashes: config.maxProtectedHashes }),
    banks,
    ledger,
    health: new HealthService(
      store,
      () => policy.version,
      () => imageAnalyser.modelStatus?.() ?? 'none',
    ),
    jobs,
    webhooks,
    reports: new ReportsService({ uow, clockRules: () => clockRules, imageAnalyser, bankMatcher, webhooks, statements, evidence }),
    cases,
    consoleUsers: new ConsoleUsersService(uow, overrides.consoleUsers),
    caseImages: new CaseImagesService(uow, overrides.caseImages ?? NO_CASE_IMAGES),
    statements,
    transparency: new TransparencyService(store.db, clock),
    imageGuard,
    accounts,
    appeals,
    indexMaintenance: new IndexMaintenance(uow, config.indexChangesRetentionHours),
    caseAlerts: new CaseAlertsService({ uow, webhooks, clockRules: () => clockRules }),
    evidence,
    escalations,
    retention: new RetentionService({ uow, evidence, promptRetentionDays: config.promptRetentionDays }),
    close: async () => {
      indexes.stopPolling();
      await jobs.stop();
      await ownAnalyser.close();
      if (!overrides.store) await store.close();
    },
  };
}
