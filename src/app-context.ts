import type { Logger } from 'pino';
import type { Policy } from './domain/policy/schema.js';
import type { TextDetector } from './domain/signals.js';
import { loadPolicyFile } from './policy/policy-file.js';
import { ApiKeyService } from './services/api-keys.js';
import { DecisionRecorder } from './services/decision-recorder.js';
import type { ImageAnalyser, Matcher } from './services/ports.js';
import { ScreeningService } from './services/screening.js';
import { openStore, type Store } from './store/store.js';
import { createTextDetector } from './text/index.js';
import type { Config } from './config.js';

/** Everything a process needs, wired in one place. The server, the CLI and the tests build it here. */
export interface AppContext {
  config: Config;
  store: Store;
  policy: Policy;
  textDetector: TextDetector;
  imageAnalyser: ImageAnalyser | undefined;
  screening: ScreeningService;
  apiKeys: ApiKeyService;
  close(): Promise<void>;
}

export interface ContextOverrides {
  store?: Store;
  policy?: Policy;
  textDetector?: TextDetector;
  imageAnalyser?: ImageAnalyser;
  matchers?: Matcher[];
  logger?: Logger;
}

export async function createAppContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const policy = overrides.policy ?? loadPolicyFile(config.policyPath);
  const store = overrides.store ?? (await openStore(config.db));
  const textDetector = overrides.textDetector ?? createTextDetector();
  const imageAnalyser = overrides.imageAnalyser;
  const recorder = new DecisionRecorder(store);
  const screening = new ScreeningService({
    policy: () => policy,
    textDetector,
    ...(imageAnalyser ? { imageAnalyser } : {}),
    matchers: overrides.matchers ?? [],
    recorder,
  });
  return {
    config,
    store,
    policy,
    textDetector,
    imageAnalyser,
    screening,
    apiKeys: new ApiKeyService(store),
    close: async () => {
      if (!overrides.store) await store.close();
    },
  };
}
