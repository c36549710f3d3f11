import { pruneIndexChanges } from '../store/repositories/index-changes.js';
import type { UnitOfWork } from './unit-of-work.js';

const HOUR_MS = 3_600_000;

/**
 * Keeps the change log the in-memory indexes replay (`index_changes`) from growing without end.
 * Changes older than the retention are deleted; an instance that was behind by more than that
 * sees the pruning horizon pass its last seen change and reloads its indexes in full (see
 * HashIndexes.refresh), so a pruned deletion is never missed, only paid for with a reload.
 */
export class IndexMaintenance {
  constructor(
    private readonly uow: UnitOfWork,
    /** Hours a change is kept; 0 keeps every change. */
    private readonly retentionHours: number,
  ) {}

  get enabled(): boolean {
    return this.retentionHours > 0;
  }

  /** Deletes the changes older than the retention; returns how many went. */
  async prune(): Promise<number> {
    if (!this.enabled) return 0;
    const cutoff = new Date(this.uow.clock.now().getTime() - this.retentionHours * HOUR_MS).toISOString();
    return this.uow.run((tx) => pruneIndexChanges(tx.db, cutoff));
  }
}
