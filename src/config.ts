import { z } from 'zod';

import { PerisaiError } from './domain/errors.js';
import { keyWeakness } from './domain/key-strength.js';
import { DEFAULT_CLOCKS_PATH } from './policy/clocks-file.js';
import { DEFAULT_POLICY_PATH } from './policy/policy-file.js';

export const DEFAULT_DB_PATH = 'data/perisai.db';

/** `0.25,0.1`: alert when a quarter, then a tenth, of a case's window is left. */
const alertFractions = z
  .string()
  .transform((value) => value.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part))))
  .pipe(
    z
      .array(
        z
          .number('PERISAI_CLOCK_ALERT_AT takes comma-separated fractions such as 0.25,0.1')
          .gt(0, 'each fraction must be above 0')
          .lt(1, 'each fraction must be below 1'),
      )
      .min(1),
  )
  .optional();

const configSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  /** A SQLite file path or a postgres:// URL. */
  db: z.string().min(1).default(DEFAULT_DB_PATH),
  policyPath: z.string().min(1).default(DEFAULT_POLICY_PATH),
  adminKey: z
    .string()
    .superRefine((secret, ctx) => {
      const weakness = keyWeakness(secret);
      if (weakness) ctx.addIssue({ code: 'custom', message: `PERISAI_ADMIN_KEY ${weakness}` });
    })
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Run image detectors (nudity, faces) in a worker pool; off makes images fail closed to review. */
  imageDetectors: z.boolean().default(true),
  /** Requests per minute per API key, and for requests without a key per client address; 0 turns limiting off. */
  rateLimit: z.coerce.number().int().min(0).default(6000),
  /** Reports a minute from one address without an API key (the public intake). */
  reportRateLimit: z.coerce.number().int().min(1).default(10),
  /** Submissions a minute from one address to the public consent page (protecting or removing photos). */
  publicConsentRateLimit: z.coerce.number().int().min(1).default(10),
  /** Seconds a client has to send a whole request (headers and body): a trickled body is cut off. */
  requestTimeoutSeconds: z.coerce.number().min(1).default(60),
  /** Seconds a connection may stay idle, waiting on the client, before it is closed. */
  idleTimeoutSeconds: z.coerce.number().min(1).default(75),
  /** `/metrics` needs a key with scope `metrics` (or admin) when true. */
  metricsNeedKey: z.boolean().default(false),
  /** The audit key as PEM; when absent, the key file (see audit-key.ts). */
  auditKey: z.string().min(1).optional(),
  auditKeyFile: z.string().min(1).optional(),
  /** How often the server signs an audit checkpoint; 0 turns it off. */
  auditCheckpointMinutes: z.coerce.number().min(0).default(60),
  /** Where the server appends its checkpoints; default `audit-checkpoints.jsonl` beside the key file. */
  auditCheckpointFile: z.string().min(1).optional(),
  /**
   * The C2PA signing certificate (PEM, leaf first) and its private key, both or neither; neither
   * means a development signer created beside the audit key (see provenance-signer.ts).
   */
  c2paCertFile: z.string().min(1).optional(),
  c2paKeyFile: z.string().min(1).optional(),
  /** The legal clock rules; default the shipped `policies/clocks.yaml`. */
  clocksPath: z.string().min(1).default(DEFAULT_CLOCKS_PATH),
  /** Overrides the rules file's `alerts.remaining_fractions` (whose default is 0.25). */
  clockAlertAt: alertFractions,
  /** How often the server sweeps cases for deadline alerts; 0 turns the sweep off. */
  clockSweepSeconds: z.coerce.number().min(0).default(60),
  /** Where signed webhooks go (remove, deadline alerts, outcomes); absent: recorded undeliverable. */
  webhookUrl: z.url({ protocol: /^https?$/, error: 'PERISAI_WEBHOOK_URL must be an http:// or https:// URL' }).optional(),
  webhookSecret: z.string().min(16, 'PERISAI_WEBHOOK_SECRET must be at least 16 characters').optional(),
  /**
   * Seconds a receiver has to answer one delivery before the attempt counts as failed; at most
   * two minutes, well inside the job runner's five-minute lease, so a slow receiver is never
   * sent the same delivery twice at once.
   */
  webhookTimeoutSeconds: z.coerce.number().positive().max(120, 'PERISAI_WEBHOOK_TIMEOUT is at most 120 seconds').default(10),
  /**
   * Protected photos one account may hold. Each is checked against every image screened, and an
   * image near many of them costs a lookup of each; a cap keeps one account from making every
   * screening slow (Perisai issue 10). A person rarely has more than a few hundred photos of
   * themself worth protecting.
   */
  maxProtectedHashes: z.coerce.number().int('PERISAI_MAX_PROTECTED_HASHES must be a whole number').min(1).default(1000),
  /** Hours the index change log keeps a change; an instance further behind reloads its indexes. 0 keeps everything. */
  indexChangesRetentionHours: z.coerce.number().min(0).default(24),
  /**
   * The OpenAI-compatible image service the guarded image API forwards allowed requests to, as
   * the base URL an OpenAI client would be given (`https://api.openai.com/v1`); absent, those
   * routes answer 503 upstream_not_configured.
   */
  upstreamUrl: z.url({ protocol: /^https?$/, error: 'PERISAI_UPSTREAM_URL must be an http:// or https:// URL' }).optional(),
  /** Sent to the upstream as its bearer token; never logged, never passed to a client. */
  upstreamKey: z.string().min(1).optional(),
  /**
   * Seconds one upstream exchange may take (the answer and any image it links to) before the
   * client gets 504; image models take tens of seconds for a large image.
   */
  upstreamTimeoutSeconds: z.coerce
    .number()
    .positive('PERISAI_UPSTREAM_TIMEOUT must be above 0')
    .max(600, 'PERISAI_UPSTREAM_TIMEOUT is at most 600 seconds')
    .default(120),
  /** The evidence key, base64 of 32 bytes; wins over the key file. Absent (and no file): no pixels are kept. */
  evidenceKey: z.string().min(1).optional(),
  evidenceKeyFile: z.string().min(1).optional(),
  /** Days evidence is kept, from when it was kept and again from an escalation (US REPORT Act: one year). */
  evidenceRetentionDays: z.coerce.number().positive('PERISAI_EVIDENCE_RETENTION_DAYS must be above 0').default(365),
  /** Days a decision keeps its prompt and quoted evidence text before they are redacted; 0 keeps them. */
  promptRetentionDays: z.coerce.number().min(0, 'PERISAI_PROMPT_RETENTION_DAYS must be 0 or more').default(90),
  /** How images in the console are hidden until a reviewer reveals one: the organisation's floor. */
  /** Who may see the transparency dashboard: anyone (`public`), or signed-in console users (`login`). */
  consoleTransparency: z.enum(['public', 'login'], 'PERISAI_CONSOLE_TRANSPARENCY must be public or login').default('public'),
  consoleImageShield: z.enum(['blur', 'strong'], 'PERISAI_CONSOLE_IMAGE_SHIELD must be blur or strong').default('blur'),
  /** Sign-in attempts a minute from one address on the console's login form. */
  consoleLoginRateLimit: z.coerce.number().int().min(1).default(10),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigOverrides = Partial<Record<keyof Config, string | number | boolean | undefined>>;

/** Environment first, then explicit overrides (command-line flags) on top; validated once here. */
export function readConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): Config {
  const raw: Record<string, unknown> = {
    host: env.HOST,
    port: env.PORT,
    db: env.PERISAI_DB,
    policyPath: env.PERISAI_POLICY,
    adminKey: env.PERISAI_ADMIN_KEY,
    logLevel: env.PERISAI_LOG_LEVEL,
    rateLimit: env.PERISAI_RATE_LIMIT,
    reportRateLimit: env.PERISAI_REPORT_RATE_LIMIT,
    publicConsentRateLimit: env.PERISAI_PUBLIC_CONSENT_RATE_LIMIT,
    requestTimeoutSeconds: env.PERISAI_REQUEST_TIMEOUT,
    idleTimeoutSeconds: env.PERISAI_IDLE_TIMEOUT,
    metricsNeedKey:
      env.PERISAI_METRICS_KEY_REQUIRED === undefined ? undefined : env.PERISAI_METRICS_KEY_REQUIRED === '1' || env.PERISAI_METRICS_KEY_REQUIRED === 'true',
    auditKey: env.PERISAI_AUDIT_KEY,
    auditKeyFile: env.PERISAI_AUDIT_KEY_FILE,
    auditCheckpointMinutes: env.PERISAI_AUDIT_CHECKPOINT_MINUTES,
    auditCheckpointFile: env.PERISAI_AUDIT_CHECKPOINT_FILE,
    c2paCertFile: env.PERISAI_C2PA_CERT_FILE,
    c2paKeyFile: env.PERISAI_C2PA_KEY_FILE,
    clocksPath: env.PERISAI_CLOCKS_FILE,
    clockAlertAt: env.PERISAI_CLOCK_ALERT_AT,
    clockSweepSeconds: env.PERISAI_CLOCK_SWEEP_SECONDS,
    webhookUrl: env.PERISAI_WEBHOOK_URL,
    webhookSecret: env.PERISAI_WEBHOOK_SECRET,
    webhookTimeoutSeconds: env.PERISAI_WEBHOOK_TIMEOUT,
    maxProtectedHashes: env.PERISAI_MAX_PROTECTED_HASHES,
    indexChangesRetentionHours: env.PERISAI_INDEX_CHANGES_RETENTION_HOURS,
    upstreamUrl: env.PERISAI_UPSTREAM_URL,
    upstreamKey: env.PERISAI_UPSTREAM_KEY,
    upstreamTimeoutSeconds: env.PERISAI_UPSTREAM_TIMEOUT,
    evidenceKey: env.PERISAI_EVIDENCE_KEY,
    evidenceKeyFile: env.PERISAI_EVIDENCE_KEY_FILE,
    evidenceRetentionDays: env.PERISAI_EVIDENCE_RETENTION_DAYS,
    promptRetentionDays: env.PERISAI_PROMPT_RETENTION_DAYS,
    consoleTransparency: env.PERISAI_CONSOLE_TRANSPARENCY,
    consoleImageShield: env.PERISAI_CONSOLE_IMAGE_SHIELD,
    consoleLoginRateLimit: env.PERISAI_CONSOLE_LOGIN_RATE_LIMIT,
    imageDetectors: env.PERISAI_IMAGE_DETECTORS === undefined ? undefined : env.PERISAI_IMAGE_DETECTORS !== '0' && env.PERISAI_IMAGE_DETECTORS !== 'false',
  };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) raw[key] = value;
  for (const key of Object.keys(raw)) if (raw[key] === '' || raw[key] === undefined) delete raw[key];
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new PerisaiError('invalid_config', `The configuration is invalid (${problems}). Fix the flag or environment variable and start again.`);
  }
  if (parsed.data.webhookUrl !== undefined && parsed.data.webhookSecret === undefined) {
    throw new PerisaiError(
      'invalid_config',
      'PERISAI_WEBHOOK_URL is set but PERISAI_WEBHOOK_SECRET is not: set a secret of at least 16 characters (receivers verify each webhook with it) and start again.',
    );
  }
  if ((parsed.data.c2paCertFile === undefined) !== (parsed.data.c2paKeyFile === undefined)) {
    const [set, unset] =
      parsed.data.c2paCertFile === undefined ? ['PERISAI_C2PA_KEY_FILE', 'PERISAI_C2PA_CERT_FILE'] : ['PERISAI_C2PA_CERT_FILE', 'PERISAI_C2PA_KEY_FILE'];
    throw new PerisaiError(
      'invalid_config',
      `${set} is set but ${unset} is not: give both the C2PA signing certificate and its private key, or neither for the development signer, and start again.`,
    );
  }
  return parsed.data;
}
