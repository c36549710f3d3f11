/** The deployable: one process serving the HTTP API over a store (`perisai serve`, `npm start`). */
import pino from 'pino';
import { createAppContext } from './app-context.js';
import { readConfig } from './config.js';
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
    jobs: { onError: (error, job) => logger.warn({ err: error, job: job && { id: job.id, kind: job.kind, attempts: job.attempts } }, job ? 'a job attempt failed; it will be retried' : 'the job runner hit an error; retrying') },
  });
  const created = await ctx.apiKeys.ensureAdminKey(config.adminKey);
  // Bank and consent changes made by the CLI or other instances reach this process's index.
  ctx.indexes.startPolling((error) => logger.warn({ err: error }, 'could not refresh the hash indexes from the store; retrying'));
  // Actions the policy emitted (strike, escalate, open_case) are carried out by the handlers registered for them.
  await ctx.jobs.start();
  if (config.imageDetectors) ctx.warmUpImageModels();
  const app = await buildServer(ctx, { logger });
  const address = await app.listen({ host: config.host, port: config.port });

  const base = address.replace('://[::1]', '://localhost');
  const lines = [
    `Perisai is running on ${base}`,
    `  store:   ${ctx.storeInfo.dialect} ${ctx.storeInfo.location}`,
    `  policy:  ${ctx.policy.version} (${config.policyPath})`,
    `  images:  ${config.imageDetectors ? 'decode + PDQ + nudity and face/age models (loading in the background)' : 'decode + PDQ only; models off (PERISAI_IMAGE_DETECTORS=0), images are held for review'}`,
    `  jobs:    ${ctx.jobs.running ? `${ctx.jobs.engine} runner for ${ctx.jobs.kinds.join(', ')}` : 'no handlers registered yet: actions wait in the outbox'} (\`perisai jobs list\`)`,
    `  indexes: ${ctx.indexes.sizes.protected} protected photos, ${ctx.indexes.sizes.bank} bank hashes, ${ctx.indexes.sizes.ledger} ledger outputs`,
    `  API:     POST ${base}/v1/screen`,
    `  docs:    ${base}/docs   OpenAPI: ${base}/openapi.json`,
    `  health:  ${base}/healthz   metrics: ${base}/metrics`,
  ];
  if (created) {
    lines.push('', `An admin API key was created. It is shown only this once; store it now:`, `  ${created.secret}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
