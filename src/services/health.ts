import { sql } from 'kysely';

import { isPerisaiError } from '../domain/errors.js';
import type { Store } from '../store/store.js';
import type { ImageModelStatus } from './ports.js';

export type Readiness =
  | { ready: true; store: Store['dialect']; policyVersion: string; imageModels: ImageModelStatus | 'none' }
  | { ready: false; store: Store['dialect']; problem: string; imageModels: ImageModelStatus | 'none' };

/** A write that proves the store can write, then is rolled back (`store_probe` never holds a row). */
class ProbeRolledBack extends Error {}
const PROBE_FILLER = 'x'.repeat(8192);

/**
 * Whether this process can do its work: the store answers, it can write (after a write failed,
 * a probe write must succeed before the process reports ready again), and a policy is loaded.
 * Image models still loading do not make it unready: images are then held for review, which
 * is safe; the status says so.
 */
export class HealthService {
  constructor(
    private readonly store: Pick<Store, 'db' | 'dialect' | 'availability' | 'transaction'>,
    private readonly policyVersion: () => string,
    private readonly imageModels: () => ImageModelStatus | 'none',
  ) {}

  async readiness(): Promise<Readiness> {
    const base = { store: this.store.dialect, imageModels: this.imageModels() };
    try {
      await sql`select 1`.execute(this.store.db);
      if (this.store.availability.writeFailedAt !== null) await this.probeWrite();
    } catch (error) {
      // A code, never the driver's text: readiness is public.
      const reason = isPerisaiError(error) ? (this.store.availability.failure ?? error.code) : 'an unexpected error (see the log)';
      const since = this.store.availability.writeFailedAt;
      return {
        ...base,
        ready: false,
        problem: `The store cannot serve${since ? ` writes since ${since}` : ''} (${reason}); requests are answered 503 until it can.`,
      };
    }
    return { ...base, ready: true, policyVersion: this.policyVersion() };
  }

  private async probeWrite(): Promise<void> {
    try {
      await this.store.transaction(async (trx) => {
        await trx.insertInto('store_probe').values({ id: 1, filler: PROBE_FILLER }).execute();
        throw new ProbeRolledBack();
      });
    } catch (error) {
      if (!(error instanceof ProbeRolledBack)) throw error;
    }
    // The insert succeeded: the store can write again.
    this.store.availability.recovered();
  }
}
