import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { JOB_STATUSES, type JobRecord, type JobStatus } from '../../services/jobs.js';
import { EXIT, writeLine } from '../io.js';

export interface JobsListFlags {
  status?: string;
  kind?: string;
  limit?: string;
  json?: boolean;
}

/** `perisai jobs list`: the outbox, newest first, with a count per status. */
export async function jobsList(ctx: AppContext, flags: JobsListFlags): Promise<number> {
  if (flags.status !== undefined && !(JOB_STATUSES as readonly string[]).includes(flags.status)) {
    throw new PerisaiError('invalid_arguments', `--status ${flags.status} is not a job status: choose from ${JOB_STATUSES.join(', ')}.`);
  }
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new PerisaiError('invalid_arguments', `--limit ${flags.limit} is not a whole number from 1 to 1000.`);
  const jobs = await ctx.jobs.list({ status: flags.status as JobStatus | undefined, kind: flags.kind, limit });
  if (flags.json) {
    for (const job of jobs) await writeLine(JSON.stringify(jobView(job)));
    return EXIT.ok;
  }
  const counts = await ctx.jobs.counts();
  await writeLine(`Jobs (${ctx.jobs.engine}): ${JOB_STATUSES.map((status) => `${counts[status]} ${status}`).join(', ')}`);
  for (const job of jobs) {
    const error = job.lastError ? `  last error: ${job.lastError}` : '';
    await writeLine(
      `${String(job.id).padStart(6)}  ${job.status.padEnd(7)}  ${job.kind.padEnd(12)}  ${job.subject}  attempts ${job.attempts}  next ${job.runAfter}${error}`,
    );
  }
  return EXIT.ok;
}

/** `perisai jobs retry ID`: a failed job gets a fresh set of attempts. */
export async function jobsRetry(ctx: AppContext, id: string): Promise<number> {
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1) throw new PerisaiError('invalid_arguments', `"${id}" is not a job id: give the number \`perisai jobs list\` shows.`);
  const job = await ctx.jobs.retry(n);
  await writeLine(`Job ${job.id} (${job.kind} ${job.subject}) is pending again.`);
  return EXIT.ok;
}

function jobView(job: JobRecord): Record<string, unknown> {
  return {
    id: job.id,
    kind: job.kind,
    subject: job.subject,
    status: job.status,
    attempts: job.attempts,
    created_at: job.createdAt,
    run_after: job.runAfter,
    updated_at: job.updatedAt,
    last_error: job.lastError,
    payload: job.payload,
  };
}
