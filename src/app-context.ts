import type { Policy } from './domain/policy/schema.js';
import type { TextDetector } from './domain/signals.js';
import { loadPolicyFile } from './policy/policy-file.js';
import { ApiKeyService } from './services/api-keys.js';
import { AuditService } from './services/audit.js';
import { BankMatcher, BankService } from './services/banks.js';
import { ConsentMatcher, ConsentService } from './services/consent.js';
import { HashIndexes } from './services/hash-indexes.js';
import { DecisionRecorder } from './services/decision-recorder.js';
import type { ImageAnalyser, Matcher } from './services/ports.js';
import { ScreeningService } from './services/screening.js';
import { openStore, type Store } from './store/store.js';
import { createTextDetector } from './text/index.js';
import { createImageAnalyser } from './image/image-analyser.js';
import type { Config } from './config.js';

/** Everything a process needs, wired in one place. The server, the CLI and the tests build it here. */
export interface AppContext {
  config: Config;
  store: Store;
  policy: Policy;
  textDetector: TextDetector;
  imageAnalyser: ImageAnalyser;
  /** Starts the image model workers ahead of the first image. */
  warmUpImageModels(): void;
  screening: ScreeningService;
  apiKeys: ApiKeyService;
  audit: AuditService;
  indexes: HashIndexes;
  consent: ConsentService;
  banks: BankService;
  close(): Promise<void>;
}

export interface ContextOverrides {
  store?: Store;
  policy?: Policy;
  textDetector?: TextDetector;
  imageAnalyser?: ImageAnalyser;
  matchers?: Matcher[];
}

export async function createAppContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const policy = overrides.policy ?? loadPolicyFile(config.policyPath);
  const store = overrides.store ?? (await openStore(config.db));
  // The detector explains each model head from the score at which this policy uses it.
  const textDetector = overrides.textDetector ?? createTextDetector({ evidenceThresholds: policy.text_model.thresholds });
  // Cheap to create: the model workers start on the first image.
  const ownAnalyser = createImageAnalyser({ models: config.imageDetectors });
  const imageAnalyser = overrides.imageAnalyser ?? ownAnalyser;
  const recorder = new DecisionRecorder(store);
  const indexes = new HashIndexes(store);
  await indexes.load();
  const screening = new ScreeningService({
    policy: () => policy,
    db: store.db,
    textDetector,
    imageAnalyser,
    matchers: overrides.matchers ?? [new ConsentMatcher(store, indexes), new BankMatcher(store, indexes)],
    recorder,
  });
  return {
    config,
    store,
    policy,
    textDetector,
    imageAnalyser,
    warmUpImageModels: () => ownAnalyser.warmUp(),
    screening,
    apiKeys: new ApiKeyService(store),
    audit: new AuditService(store),
    indexes,
    consent: new ConsentService(store, indexes),
    banks: new BankService(store, indexes),
    close: async () => {
      indexes.stopPolling();
      await ownAnalyser.close();
      if (!overrides.store) await store.close();
    },
  };
}
