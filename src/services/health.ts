import { sql } from 'kysely';
import type { Db, DialectName } from '../store/store.js';

export type Readiness = { ready: true; store: DialectName; policyVersion: string } | { ready: false; store: DialectName; problem: string };

/** Whether this process can do its work: the store answers and a policy is loaded. */
export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
    private readonly policyVersion: () => string,
  ) {}

  async readiness(): Promise<Readiness> {
    try {
      await sql`select 1`.execute(this.db);
      return { ready: true, store: this.dialect, policyVersion: this.policyVersion() };
    } catch (error) {
      return { ready: false, store: this.dialect, problem: `The store does not answer: ${(error as Error).message}` };
    }
  }
}
