import { PdqIndex } from '../match/mih-index.js';
import { pdqFromHex } from '../pdq/index.js';
import type { Db } from '../store/store.js';

/** Cases changed up to a minute before the newest one seen are read again, so clock skew between instances loses none. */
const OVERLAP_MS = 60_000;

/**
 * The PDQ hashes of not-closed cases with a reported image, in memory, so a reported image finds
 * the case about its near-duplicates in milliseconds rather than by reading every open case
 * (100,000 of them took half a second a report). It follows the `cases` table by `updated_at`
 * (indexed): cases opened, given an image or closed by any instance are picked up on the next
 * `refresh`, which the intake calls inside its own transaction. A hit is only a candidate: the
 * caller reads the case and checks it is still open, so an entry a moment stale is harmless.
 */
export class OpenCaseIndex {
  private index = new PdqIndex();
  private readonly slotOf = new Map<string, number>();
  private readonly caseOf = new Map<number, string>();
  private nextSlot = 1;
  private watermark: string | undefined;

  async refresh(db: Db): Promise<void> {
    let query = db.selectFrom('cases').select(['id', 'image_pdq', 'state', 'updated_at']).where('image_pdq', 'is not', null);
    if (this.watermark !== undefined) {
      query = query.where('updated_at', '>=', new Date(Date.parse(this.watermark) - OVERLAP_MS).toISOString());
    } else {
      // The first read takes only what can still match; later reads also see cases closing.
      query = query.where('state', '!=', 'closed');
    }
    for (const row of await query.execute()) {
      if (this.watermark === undefined || row.updated_at > this.watermark) this.watermark = row.updated_at;
      if (row.state === 'closed') this.remove(row.id);
      else this.add(row.id, row.image_pdq!);
    }
    this.watermark ??= new Date(0).toISOString();
  }

  /** Adds (or keeps) one case; the intake calls it for a case it has just written. */
  add(caseId: string, pdq: string): void {
    if (this.slotOf.has(caseId)) return;
    const slot = this.nextSlot++;
    this.slotOf.set(caseId, slot);
    this.caseOf.set(slot, caseId);
    this.index.add(slot, pdqFromHex(pdq));
  }

  /** Candidate cases within `maxDistance`, nearest first. */
  search(pdq: string, maxDistance: number): Array<{ caseId: string; distance: number }> {
    return this.index
      .search(pdqFromHex(pdq), maxDistance)
      .flatMap((hit) => {
        const caseId = this.caseOf.get(hit.id);
        return caseId === undefined ? [] : [{ caseId, distance: hit.distance }];
      })
      .sort((a, b) => a.distance - b.distance || a.caseId.localeCompare(b.caseId));
  }

  get size(): number {
    return this.slotOf.size;
  }

  private remove(caseId: string): void {
    const slot = this.slotOf.get(caseId);
    if (slot === undefined) return;
    this.index.remove(slot);
    this.slotOf.delete(caseId);
    this.caseOf.delete(slot);
  }
}
