import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { type Scope, SCOPES } from '../../services/api-keys.js';
import { EXIT, writeLine } from '../io.js';

export async function keysCreate(ctx: AppContext, name: string, scopes: string): Promise<number> {
  const list = scopes.split(/[\s,]+/).filter(Boolean);
  const unknown = list.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0 || list.length === 0)
    throw new PerisaiError('invalid_arguments', `Unknown scope ${unknown.join(', ') || '(none given)'}: choose from ${SCOPES.join(', ')}.`);
  const created = await ctx.apiKeys.create(name, list as Scope[], 'cli');
  await writeLine(created.secret);
  process.stderr.write(`Created key ${created.record.id} (${created.record.scopes.join(' ')}). The secret above is shown only once.\n`);
  return EXIT.ok;
}

export async function keysList(ctx: AppContext): Promise<number> {
  for (const key of await ctx.apiKeys.list()) {
    await writeLine(`${key.id}\t${key.revokedAt ? 'revoked' : 'active'}\t${key.scopes.join(' ')}\t${key.createdAt}\t${key.name}`);
  }
  return EXIT.ok;
}

export async function keysRevoke(ctx: AppContext, id: string): Promise<number> {
  await ctx.apiKeys.revoke(id, 'cli');
  await writeLine(`Revoked ${id}.`);
  return EXIT.ok;
}
