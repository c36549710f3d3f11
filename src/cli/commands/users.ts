import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { CONSOLE_ROLES, type ConsoleRole } from '../../services/console-users.js';
import { EXIT, writeLine } from '../io.js';

/**
 * `perisai users create EMAIL --role reviewer|admin`: the password is the first line of stdin
 * when something is piped in; otherwise (a terminal, or nothing piped) one is generated and
 * printed once, since it is stored only as a hash.
 */
export async function usersCreate(ctx: AppContext, email: string, role: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  if (role === undefined || !(CONSOLE_ROLES as readonly string[]).includes(role)) {
    throw new PerisaiError(
      'invalid_arguments',
      `Name the user's role with --role: one of ${CONSOLE_ROLES.join(', ')}${role === undefined ? '' : ` (not ${role})`}.`,
    );
  }
  const piped = stdin.isTTY ? '' : await firstLine(stdin);
  const created = await ctx.consoleUsers.create(email, role as ConsoleRole, piped === '' ? undefined : piped, 'cli');
  if (created.generatedPassword !== undefined) {
    await writeLine(created.generatedPassword);
    process.stderr.write(`Created ${created.user.role} ${created.user.email}. The password above is shown only once: hand it over safely.\n`);
  } else {
    process.stderr.write(`Created ${created.user.role} ${created.user.email} with the password from stdin.\n`);
  }
  return EXIT.ok;
}

export async function usersList(ctx: AppContext): Promise<number> {
  for (const user of await ctx.consoleUsers.list()) {
    const status = user.disabled
      ? 'disabled'
      : user.lockedUntil !== null && user.lockedUntil > ctx.clock.now().toISOString()
        ? `locked until ${user.lockedUntil}`
        : 'active';
    await writeLine(`${user.email}\t${user.role}\t${status}\t${user.createdAt}`);
  }
  return EXIT.ok;
}

export async function usersDisable(ctx: AppContext, email: string): Promise<number> {
  const user = await ctx.consoleUsers.disable(email, 'cli');
  await writeLine(`Disabled ${user.email}; their console sessions have ended.`);
  return EXIT.ok;
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 4096) break;
  }
  return (text.split(/\r?\n/)[0] ?? '').trim();
}
