import { PerisaiError } from '../domain/errors.js';
import { shieldImage } from '../image/shield.js';
import { eventsOfCase, findCase, insertCaseEvent } from '../store/repositories/cases.js';
import type { ImageShield } from './console-users.js';
import type { UnitOfWork } from './unit-of-work.js';

/** One image of a case, as the evidence store keeps it. */
export interface CaseImage {
  bytes: Uint8Array;
  /** Its media type, e.g. image/png. */
  type: string;
}

/**
 * Where the console reads a case's images from: the n-th (from 0) image of a case, or null when
 * it has no such image. Today the store keeps no pixels of reported images, only their hashes,
 * so the default has none; the evidence store plugs in here.
 */
export interface CaseImageSource {
  image(caseId: string, n: number): Promise<CaseImage | null>;
}

export const NO_CASE_IMAGES: CaseImageSource = { image: async () => null };

/** Images a case page shows at most. */
export const MAX_CASE_IMAGES = 4;

/** A reveal lets its reviewer load the clear image for this long. */
export const REVEAL_MINUTES = 10;

/**
 * The image shield. A case's images are served blurred and greyscale; the clear image is served
 * only to a reviewer who asked to reveal that one image within the last few minutes, and each
 * reveal is a case event and an audit entry in the same transaction, written before the image
 * can be fetched.
 */
export class CaseImagesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly source: CaseImageSource,
  ) {}

  /** How many images the case has (up to MAX_CASE_IMAGES). */
  async count(caseId: string): Promise<number> {
    let n = 0;
    while (n < MAX_CASE_IMAGES && (await this.source.image(caseId, n)) !== null) n++;
    return n;
  }

  async shielded(caseId: string, n: number, shield: ImageShield): Promise<CaseImage> {
    const image = await this.find(caseId, n);
    return { bytes: await shieldImage(image.bytes, shield), type: 'image/png' };
  }

  /** Records that `actor` reveals image n of the case; returns when it is committed. */
  async reveal(caseId: string, n: number, actor: string): Promise<void> {
    await this.find(caseId, n);
    await this.uow.run(async (tx) => {
      if (!(await findCase(tx.db, caseId))) throw new PerisaiError('not_found', `No case has the id ${caseId}: take the id from the case queue.`);
      const payload = { image: n };
      await insertCaseEvent(tx.db, { caseId, at: tx.at, kind: 'image_revealed', actor, payload });
      await tx.audit([{ kind: 'case.image_revealed', subject: caseId, actor, payload }]);
    });
  }

  /** Whether `actor` revealed image n of the case in the last REVEAL_MINUTES. */
  async isRevealed(caseId: string, n: number, actor: string): Promise<boolean> {
    const since = new Date(this.uow.clock.now().getTime() - REVEAL_MINUTES * 60_000).toISOString();
    const events = await eventsOfCase(this.uow.db, caseId);
    return events.some((e) => e.kind === 'image_revealed' && e.actor === actor && e.at >= since && (JSON.parse(e.payload) as { image?: unknown }).image === n);
  }

  /** The clear image, for a reviewer who revealed it moments ago; anyone else is refused. */
  async revealed(caseId: string, n: number, actor: string): Promise<CaseImage> {
    if (!(await this.isRevealed(caseId, n, actor))) {
      throw new PerisaiError('forbidden', `Image ${n + 1} of this case is shielded: reveal it on the case page first (each reveal is recorded).`);
    }
    return this.find(caseId, n);
  }

  private async find(caseId: string, n: number): Promise<CaseImage> {
    const image = n >= 0 && n < MAX_CASE_IMAGES ? await this.source.image(caseId, n) : null;
    if (!image) throw new PerisaiError('not_found', `Case ${caseId} has no image ${n + 1}: open the case page to see the images it has.`);
    return image;
  }
}
