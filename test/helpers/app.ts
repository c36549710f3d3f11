import type { FastifyInstance } from 'fastify';

import { type AppContext, type ContextOverrides, createAppContext } from '../../src/app-context.js';
import { type ConfigOverrides, readConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import type { TestStore } from './stores.js';

export const ADMIN_KEY = 'psk_MQr-ZMOu7JjOQ9tVFk5cWLXeW7mopwYz';

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  /** Secrets of keys with exactly one scope each. */
  keys: { screen: string; read: string };
  close(): Promise<void>;
}

/** A server over a test store, driven in-process with `app.inject`. */
export async function startTestApp(t: TestStore, overrides: ContextOverrides = {}, config: ConfigOverrides = {}): Promise<TestApp> {
  const ctx = await createAppContext(readConfig({}, { db: t.location, adminKey: ADMIN_KEY, imageDetectors: false, ...config }), {
    store: t.store,
    ...overrides,
  });
  await ctx.apiKeys.ensureAdminKey(ADMIN_KEY);
  const screen = (await ctx.apiKeys.create('screen only', ['screen'], 'test')).secret;
  const read = (await ctx.apiKeys.create('read only', ['decisions:read'], 'test')).secret;
  const app = await buildServer(ctx);
  return {
    ctx,
    app,
    keys: { screen, read },
    close: async () => {
      await app.close();
      await ctx.close();
    },
  };
}
