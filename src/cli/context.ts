import { type AppContext, createAppContext } from '../app-context.js';
import { type ConfigOverrides, readConfig } from '../config.js';

export interface StoreFlags {
  db?: string;
  policy?: string;
}

/** Builds the app context for a CLI command: flags over environment over defaults. */
export async function contextFromFlags(flags: StoreFlags, extra: ConfigOverrides = {}): Promise<AppContext> {
  const config = readConfig(process.env, { db: flags.db, policyPath: flags.policy, ...extra });
  return createAppContext(config);
}

export async function withContext<T>(flags: StoreFlags, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await contextFromFlags(flags);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
