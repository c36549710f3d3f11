/** The deployable: one process serving the HTTP API over a store (`perisai serve`, `npm start`). */
import pino, { type Logger } from 'pino';

import { type AppContext, createAppContext } from './app-context.js';
import { appendCheckpoint, defaultCheckpointPath, lastCheckpointSeq } from './audit-key.js';
import { type Config, readConfig } from './config.js';
import { PerisaiError } from './domain/errors.js';
import { buildServer } from './http/server.js';

/** Overrides of the environment, as `perisai serve` passes them. */
export interface ServeFlags {
  port?: string | undefined;
  host?: string | undefined;
  db?: string | undefined;
  policy?: string | undefined;
}

export async function serve(flags: ServeFlags): Promise<void> {
  const config = readConfig(process.env, { port: flags.port, host: flags.host, db: flags.db, policyPath: flags.policy });
  const logger = pino({ level: config.logLevel });
  const ctx = await createAppContext(config, {
    onStoreConnectionError: (error) => logger.warn({ err: error }, 'a database connection was closed; the pool will open a new one'),
    jobs: {
      onError: (error, job) =>
        logger.warn(
          { err: error, job: job && { id: job.id, kind: job.kind, attempts: job.attempts } },
          job ? 'a job attempt failed; it will be retried' : 'the job runner hit an error; retrying',
        ),
    },
  });
  const created = await ctx.apiKeys.ensureAdminKey(config.adminKey);
  // Bank and consent changes made by the CLI or other instances reach this process's index.
  ctx.indexes.startPolling((error) => logger.warn({ err: error }, 'could not refresh the hash indexes from the store; retrying'));
  // Actions the policy emitted (strike, escalate, open_case) are carried out by the handlers registered for them.
  await ctx.jobs.start();
  if (config.imageDetectors) ctx.warmUpImageModels();
  // The audit key is created on first start, next to the data, readable by its owner only.
  const auditKey = ctx.auditKey();
  // The C2PA signer too (the development one on first start), so a certificate that cannot sign stops the server here.
  const signer = await ctx.provenanceSigner();
  if (signer.development) {
    logger.warn(
      { source: signer.source },
      'C2PA manifests are signed with the self-signed development signer, which proves nothing to anyone else: set PERISAI_C2PA_CERT_FILE and PERISAI_C2PA_KEY_FILE for production',
    );
  }
  const stopCheckpoints = startCheckpoints(ctx, config, logger);
  const stopPruning = startPruning(ctx, logger);
  const stopSweeps = startAlertSweeps(ctx, config, logger);
  const app = await buildServer(ctx, { logger });
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // Stop everything that keeps the process alive (index polling, the job runner, the
    // database pool), so the command exits with an error instead of lingering unreachable.
    stopCheckpoints();
    stopPruning();
    stopSweeps();
    await app.close();
    await ctx.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new PerisaiError(
      'invalid_config',
      code === 'EADDRINUSE'
        ? `Cannot listen on ${config.host}:${config.port}: the port is in use. Stop the other process or choose another with --port or PORT.`
        : `Cannot listen on ${config.host}:${config.port} (${code ?? (error as Error).message}): check --host and --port.`,
    );
  }

  const base = address.replace('://[::1]', '://localhost');
  const lines = [
    `Perisai is running on ${base}`,
    `  store:   ${ctx.storeInfo.dialect} ${ctx.storeInfo.location}`,
    `  policy:  ${ctx.policy.version} (${config.policyPath})`,
    `  images:  ${config.imageDetectors ? 'decode + PDQ + nudity and face/age models (loading in the background)' : 'decode + PDQ only; models off (PERISAI_IMAGE_DETECTORS=0), images are held for review'}`,
    `  jobs:    ${ctx.jobs.running ? `${ctx.jobs.engine} runner for ${ctx.jobs.kinds.join(', ')}` : 'no handlers registered yet: actions wait in the outbox'} (\`perisai jobs list\`)`,
    `  audit:   key ${auditKey.source}${auditKey.created ? ' (created now: back it up)' : ''}; ${config.auditCheckpointMinutes > 0 ? `a signed checkpoint every ${config.auditCheckpointMinutes} min to ${config.auditCheckpointFile ?? defaultCheckpointPath(config)}` : 'periodic checkpoints off'}`,
    `  C2PA:    signer "${signer.subject}" (${signer.source}${signer.created ? ', created now' : ''})${signer.development ? ' — DEVELOPMENT signer, not for production' : ''}`,
    `  alerts:  ${config.clockSweepSeconds > 0 ? `case deadlines swept every ${config.clockSweepSeconds} s` : 'deadline sweep off (PERISAI_CLOCK_SWEEP_SECONDS=0)'}`,
    `  indexes: ${ctx.indexes.sizes.protected} protected photos, ${ctx.indexes.sizes.bank} bank hashes, ${ctx.indexes.sizes.ledger} ledger outputs`,
    `  API:     POST ${base}/v1/screen`,
    `  reports: POST ${base}/v1/reports (public: victims report without a key)   queue: GET ${base}/v1/cases`,
    `  docs:    ${base}/docs   OpenAPI: ${base}/openapi.json`,
    `  health:  ${base}/healthz   metrics: ${base}/metrics`,
  ];
  // A key the operator supplied is never echoed (logs outlive secrets); only a generated one is shown, once.
  if (created && config.adminKey !== undefined) {
    lines.push('', `PERISAI_ADMIN_KEY was registered as admin key ${created.record.id}.`);
  } else if (created) {
    lines.push('', `An admin API key was created. It is shown only this once; store it now:`, `  ${created.secret}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    stopCheckpoints();
    stopPruning();
    stopSweeps();
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/**
 * Signs a checkpoint every `auditCheckpointMinutes` and appends it to the checkpoint file,
 * whenever the chain grew since the last one; returns a function that stops it. A failure is
 * logged and retried at the next tick: checkpoints anchor the log, they never block serving.
 */
/** Prunes the index change log at start and hourly; a failure is logged and retried next hour. */
function startPruning(ctx: AppContext, logger: Logger): () => void {
  if (!ctx.indexMaintenance.enabled) return () => {};
  const tick = async (): Promise<void> => {
    try {
      const pruned = await ctx.indexMaintenance.prune();
      if (pruned > 0) logger.info({ pruned }, 'index change log pruned');
    } catch (error) {
      logger.warn({ err: error }, 'could not prune the index change log; retrying in an hour');
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}

function startCheckpoints(ctx: AppContext, config: Config, logger: Logger): () => void {
  if (config.auditCheckpointMinutes <= 0) return () => {};
  const file = config.auditCheckpointFile ?? defaultCheckpointPath(config);
  let lastSeq = lastCheckpointSeq(file);
  const tick = async (): Promise<void> => {
    try {
      const checkpoint = await ctx.audit.checkpoint();
      if (checkpoint.seq === lastSeq) return;
      appendCheckpoint(file, checkpoint);
      lastSeq = checkpoint.seq;
      logger.info({ seq: checkpoint.seq, file }, 'audit checkpoint written');
    } catch (error) {
      logger.warn({ err: error, file }, 'could not write the audit checkpoint; retrying at the next interval');
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), config.auditCheckpointMinutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Sweeps cases for deadline alerts every `clockSweepSeconds`; returns a function that stops it.
 * A sweep never overlaps the previous one in this process (a slow store would pile them up);
 * other instances may sweep at the same time, and the sweep's conditional update keeps each
 * alert to one. A failure is logged and the next tick tries again: a late sweep fires every
 * threshold it skipped.
 */
function startAlertSweeps(ctx: AppContext, config: Config, logger: Logger): () => void {
  if (config.clockSweepSeconds <= 0) return () => {};
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const { fired } = await ctx.caseAlerts.sweep();
      if (fired > 0) logger.info({ fired }, 'case deadline alerts raised');
    } catch (error) {
      logger.warn({ err: error }, 'could not sweep cases for deadline alerts; retrying at the next interval');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), config.clockSweepSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
