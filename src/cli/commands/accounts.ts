import type { AppContext } from '../../app-context.js';
import { accountIdParam, type AccountView, reinstateBodySchema, suspendBodySchema } from '../../services/accounts.js';
import { parseInput } from '../../services/parse-input.js';
import { EXIT, writeLine } from '../io.js';

export interface SuspendFlags {
  reason?: string;
  until?: string;
  days?: string;
  json?: boolean;
}

/** `perisai accounts show ID`: standing, strikes, suspensions and history, as GET /v1/accounts/{id} shows them. */
export async function accountsShow(ctx: AppContext, id: string, json: boolean): Promise<number> {
  await print(await ctx.accounts.get(parseAccount(id)), json);
  return EXIT.ok;
}

/** `perisai accounts suspend ID --reason R [--until T | --days N]`, audited with the actor `cli`. */
export async function accountsSuspend(ctx: AppContext, id: string, flags: SuspendFlags): Promise<number> {
  const body = parseInput(
    suspendBodySchema,
    {
      reason: flags.reason,
      ...(flags.until !== undefined ? { until: flags.until } : {}),
      ...(flags.days !== undefined ? { days: Number(flags.days) } : {}),
    },
    'options',
  );
  await print(await ctx.accounts.suspend(parseAccount(id), body, 'cli'), flags.json ?? false);
  return EXIT.ok;
}

/** `perisai accounts reinstate ID --reason R`. */
export async function accountsReinstate(ctx: AppContext, id: string, flags: { reason?: string; json?: boolean }): Promise<number> {
  const { reason } = parseInput(reinstateBodySchema, { reason: flags.reason }, 'options');
  await print(await ctx.accounts.reinstate(parseAccount(id), reason, 'cli'), flags.json ?? false);
  return EXIT.ok;
}

function parseAccount(id: string): string {
  return parseInput(accountIdParam, id, 'account id');
}

async function print(view: AccountView, json: boolean): Promise<void> {
  if (json) return writeLine(JSON.stringify(view));
  const until = view.standing === 'suspended' ? ` until ${view.suspended_until ?? 'reinstated'}` : '';
  const lines = [
    `${view.account}  ${view.standing}${until}  strikes: ${view.strikes.active.length} active, ${view.strikes.expired.length} expired, ${view.strikes.lifted.length} lifted`,
  ];
  if (view.suspension) lines.push(`  suspension ${view.suspension.id} by ${view.suspension.actor}: ${view.suspension.reason}`);
  for (const strike of view.strikes.active)
    lines.push(`  strike ${strike.id} ${strike.category} (${strike.rule}) on ${strike.decision_id}, counts until ${strike.expires_at}`);
  for (const entry of view.history) lines.push(`  ${entry.at}  ${entry.kind.padEnd(18)} by ${entry.actor}`);
  await writeLine(lines.join('\n'));
}
