import { createHash, randomBytes } from 'node:crypto';

import { z } from 'zod';

import { accountIdSchema } from '../domain/account-id.js';
import type { FactEvidence } from '../domain/decision.js';
import { PerisaiError } from '../domain/errors.js';
import { isPdqHex } from '../pdq/index.js';
import {
  type ConsentSettings,
  countProtectedHashes,
  DEFAULT_CONSENT,
  deleteConsent,
  deleteProtectedHashes,
  findConsent,
  findConsents,
  findProtectedHashesByIds,
  findProtectedHashesBySha256,
  findProtectedPdqs,
  insertProtectedHashes,
  listProtectedHashes,
  lockAccountProtectedHashes,
  patchConsent,
  type ProtectedHashRow,
  upsertConsent,
} from '../store/repositories/consent.js';
import type { Db } from '../store/store.js';
import type { HashIndexes } from './hash-indexes.js';
import type { MatchContext, Matcher, MatchResult } from './ports.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

/** PDQ hashes below this quality describe near-featureless images and match far too much. */
export const MIN_MATCH_QUALITY = 50;

/** How many of the 256 PDQ bits may differ for two images to count as the same; 31 by default (PDQ's recommended threshold). */
export const pdqDistanceSchema = z.number().int().min(0).max(63).default(31);

export const pdqHex = z
  .string()
  .refine(isPdqHex, 'must be a PDQ hash: exactly 64 hexadecimal digits')
  .transform((value) => value.toLowerCase());
export const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256: exactly 64 hexadecimal digits')
  .transform((value) => value.toLowerCase());

export const consentSettingsSchema = z.strictObject({
  allow_ai_edits_by_others: z.boolean().describe("Whether other accounts may have AI edits made of this account's photos; false until the account sets it."),
  allow_ai_edits_by_self: z.boolean().describe('Whether this account may have AI edits made of its own photos; true until the account sets it.'),
});

/** PATCH: any of the settings, at least one; the others keep their stored (or default) value. */
export const consentPatchSchema = consentSettingsSchema
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'must set at least one of allow_ai_edits_by_others, allow_ai_edits_by_self');

export const protectedHashesSchema = z.strictObject({
  hashes: z
    .array(
      z.strictObject({
        pdq: pdqHex.describe('The PDQ hash of the photo: 64 hexadecimal digits, as `perisai hash` prints it (either case).'),
        quality: z
          .number()
          .int()
          .min(MIN_MATCH_QUALITY, `must be at least ${MIN_MATCH_QUALITY}: a photo this plain cannot be recognised reliably, choose another photo`)
          .max(100)
          .describe(`The PDQ quality score the hasher reported with the hash, ${MIN_MATCH_QUALITY} to 100; plainer photos cannot be protected reliably.`),
        sha256: sha256Hex.optional().describe('Optional SHA-256 of the photo file (64 hexadecimal digits), so an exact copy is caught too.'),
      }),
    )
    .min(1, 'must hold at least one hash')
    .max(1000, 'may hold at most 1,000 hashes per request')
    .describe('The photos to protect, 1 to 1,000 per request; adding a hash already protected is harmless.'),
});

export const accountParam = accountIdSchema.describe("The account id as your platform stores it: 1-128 of A-Z a-z 0-9 . _ : @ + -, not '.' or '..'.");

export interface ConsentView {
  account: string;
  allow_ai_edits_by_others: boolean;
  allow_ai_edits_by_self: boolean;
  /** False when the account never set anything and the defaults apply. */
  stored: boolean;
  updated_at: string | null;
}

/**
 * A person without an account (the public consent page) protects photos under an owner id
 * derived from a secret reference only they are shown: `anon:` and 22 base64url characters of
 * the SHA-256 of the reference. The owner id appears in screening evidence and the audit
 * trail; the reference never does, so only its holder can remove the photos again.
 */
export const ANONYMOUS_PREFIX = 'anon:';
export const anonymousReferenceSchema = z
  .string()
  .trim()
  .regex(/^pr_[A-Za-z0-9_-]{22}$/, 'must be the reference you were given when you protected the photos: pr_ followed by 22 letters, digits, _ or -');

export function newAnonymousReference(): string {
  return `pr_${randomBytes(16).toString('base64url')}`;
}

export function anonymousOwnerOf(reference: string): string {
  return ANONYMOUS_PREFIX + createHash('sha256').update(reference).digest('base64url').slice(0, 22);
}

/** The default of PERISAI_MAX_PROTECTED_HASHES. */
export const DEFAULT_MAX_PROTECTED_HASHES = 1000;

export interface ConsentOptions {
  /** Protected hashes one account may hold (PERISAI_MAX_PROTECTED_HASHES). */
  maxProtectedHashes?: number;
}

/** Each person's consent to AI edits and their protected photos, hashes only. */
export class ConsentService {
  private readonly maxProtectedHashes: number;

  constructor(
    private readonly uow: UnitOfWork,
    options: ConsentOptions = {},
  ) {
    this.maxProtectedHashes = options.maxProtectedHashes ?? DEFAULT_MAX_PROTECTED_HASHES;
  }

  async get(account: string, db: Db = this.uow.db): Promise<ConsentView> {
    const stored = await findConsent(db, account);
    const settings = stored ?? DEFAULT_CONSENT;
    return {
      account,
      allow_ai_edits_by_others: settings.allowAiEditsByOthers,
      allow_ai_edits_by_self: settings.allowAiEditsBySelf,
      stored: stored !== undefined,
      updated_at: stored?.updatedAt ?? null,
    };
  }

  async put(account: string, settings: ConsentSettings, actor: string, outer?: Tx): Promise<ConsentView> {
    return this.uow.run(async (tx) => {
      await upsertConsent(tx.db, account, settings, tx.at);
      await tx.audit([
        {
          kind: 'consent_changed',
          subject: account,
          actor,
          payload: { allow_ai_edits_by_others: settings.allowAiEditsByOthers, allow_ai_edits_by_self: settings.allowAiEditsBySelf },
        },
      ]);
      return this.get(account, tx.db);
    }, outer);
  }

  /** Changes only the given settings (HTTP PATCH); audited with the settings as they now stand. */
  async patch(account: string, changes: Partial<ConsentSettings>, actor: string, outer?: Tx): Promise<ConsentView> {
    return this.uow.run(async (tx) => {
      await patchConsent(tx.db, account, changes, tx.at);
      const now = await this.get(account, tx.db);
      await tx.audit([
        {
          kind: 'consent_changed',
          subject: account,
          actor,
          payload: { allow_ai_edits_by_others: now.allow_ai_edits_by_others, allow_ai_edits_by_self: now.allow_ai_edits_by_self },
        },
      ]);
      return now;
    }, outer);
  }

  /** Erases the account's settings; the defaults (no edits by others) apply again. */
  async erase(account: string, actor: string, outer?: Tx): Promise<boolean> {
    return this.uow.run(async (tx) => {
      const deleted = await deleteConsent(tx.db, account);
      if (deleted) await tx.audit([{ kind: 'consent_erased', subject: account, actor, payload: {} }]);
      return deleted;
    }, outer);
  }

  /**
   * Adds protected hashes, all or none: a batch that would take the account past
   * `maxProtectedHashes` adds nothing and fails with `protected_hash_limit`. Hashes the account
   * already holds, and repeats within the batch, do not count towards it.
   */
  async addProtectedHashes(
    account: string,
    hashes: Array<{ pdq: string; quality: number; sha256?: string | undefined }>,
    actor: string,
    outer?: Tx,
  ): Promise<{ added: number; already_present: number }> {
    return this.uow.run(async (tx) => {
      await lockAccountProtectedHashes(tx.db, tx.dialect, account);
      const submitted = [...new Set(hashes.map((h) => h.pdq))];
      const present = await findProtectedPdqs(tx.db, account, submitted);
      const adding = submitted.filter((pdq) => !present.has(pdq)).length;
      const stored = await countProtectedHashes(tx.db, account);
      if (adding > 0 && stored + adding > this.maxProtectedHashes) {
        throw new PerisaiError(
          'protected_hash_limit',
          `Account ${account} holds ${stored} protected hashes and this would add ${adding}, past the limit of ${this.maxProtectedHashes} per account; none were added. ` +
            `Delete protected hashes the account no longer needs and add these again (at most ${Math.max(0, this.maxProtectedHashes - stored)} more fit), ` +
            'or ask the operator to raise PERISAI_MAX_PROTECTED_HASHES.',
          { limit: this.maxProtectedHashes, stored, adding },
        );
      }
      const inserted = await insertProtectedHashes(
        tx.db,
        account,
        hashes.map((h) => ({ pdq: h.pdq, quality: h.quality, sha256: h.sha256 ?? null })),
        tx.at,
      );
      tx.indexChanged(inserted.map((rowId) => ({ indexName: 'protected', op: 'upsert', rowId })));
      await tx.audit([{ kind: 'protected_hashes_added', subject: account, actor, payload: { added: inserted.length, submitted: hashes.length } }]);
      return { added: inserted.length, already_present: hashes.length - inserted.length };
    }, outer);
  }

  listProtectedHashes(account: string): Promise<ProtectedHashRow[]> {
    return listProtectedHashes(this.uow.db, account);
  }

  /** Deletes all of an account's protected hashes, or one; effective in this process's index before returning. */
  async deleteProtectedHashes(account: string, actor: string, pdq?: string, outer?: Tx): Promise<number> {
    return this.uow.run(async (tx) => {
      const deleted = await deleteProtectedHashes(tx.db, account, pdq);
      if (pdq !== undefined && deleted.length === 0)
        throw new PerisaiError('not_found', `Account ${account} has no protected hash ${pdq}: list the account's protected hashes and check the hash.`);
      tx.indexChanged(deleted.map((rowId) => ({ indexName: 'protected', op: 'delete', rowId })));
      if (deleted.length > 0) {
        await tx.audit([{ kind: 'protected_hashes_deleted', subject: account, actor, payload: { deleted: deleted.length, ...(pdq ? { pdq } : {}) } }]);
      }
      return deleted.length;
    }, outer);
  }
}

/**
 * Consent at screening time. An image's declared owner must allow the edit (by others, or by
 * themself when they ask), and an image near a protected photo needs its protector's consent,
 * whoever asks and whatever owner was declared.
 */
export class ConsentMatcher implements Matcher {
  readonly name = 'consent';

  constructor(
    private readonly db: Db,
    private readonly indexes: HashIndexes,
  ) {}

  async match(context: MatchContext): Promise<Partial<MatchResult>> {
    if (context.stage !== 'request' || context.images.length === 0) return {};
    const evidence: FactEvidence[] = [];
    const protectors = new Map<number, Array<{ row: ProtectedHashRow; distance: number }>>();

    const addProtector = (index: number, row: ProtectedHashRow, distance: number): void => {
      const list = protectors.get(index) ?? [];
      list.push({ row, distance });
      protectors.set(index, list);
    };
    const hits = new Map<number, { index: number; distance: number }>();
    for (const image of context.images) {
      if (!image.pdq || image.pdq.quality < MIN_MATCH_QUALITY) continue;
      for (const hit of this.indexes.searchProtected(image.pdq.hash)) hits.set(hit.id, { index: image.index, distance: hit.distance });
    }
    for (const row of await findProtectedHashesByIds(this.db, [...hits.keys()])) {
      const hit = hits.get(row.id)!;
      addProtector(hit.index, row, hit.distance);
    }
    // The exact bytes of a protected photo match even when its PDQ quality is too low to compare.
    for (const row of await findProtectedHashesBySha256(
      this.db,
      context.images.map((image) => image.sha256),
    )) {
      for (const image of context.images) if (image.sha256 === row.sha256) addProtector(image.index, row, 0);
    }

    const accounts = new Set<string>();
    for (const image of context.images) if (image.owner) accounts.add(image.owner);
    for (const hits of protectors.values()) for (const hit of hits) accounts.add(hit.row.account);
    const consents = await findConsents(this.db, [...accounts]);
    const allows = (account: string): boolean => {
      const settings = consents.get(account) ?? DEFAULT_CONSENT;
      return account === context.requesterId ? settings.allowAiEditsBySelf : settings.allowAiEditsByOthers;
    };

    for (const image of context.images) {
      if (image.owner && !allows(image.owner)) {
        evidence.push({
          source: 'consent',
          fact: 'consent_withheld',
          detail:
            image.owner === context.requesterId
              ? `Image ${image.index} belongs to ${image.owner}, who has turned off AI edits of their own photos.`
              : `Image ${image.index} belongs to ${image.owner}, who has not allowed AI edits of their photos by others.`,
        });
      }
      const seen = new Set<string>();
      for (const { row, distance } of protectors.get(image.index) ?? []) {
        if (seen.has(row.account) || allows(row.account)) continue;
        seen.add(row.account);
        evidence.push({
          source: 'consent',
          fact: 'consent_withheld',
          detail: `Image ${image.index} matches a photo that ${row.account} protected (PDQ distance ${distance}); they have not allowed AI edits of it.`,
        });
      }
    }
    return { consentWithheld: evidence };
  }
}
