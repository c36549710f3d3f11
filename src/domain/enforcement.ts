import type { Category } from './decision.js';
import type { EnforcementSettings, SuspensionThreshold } from './policy/schema.js';

/**
 * Strikes and suspensions, as pure rules over an account's records at a given instant: which
 * strikes count, whether a threshold of the policy is met, and where the account stands. The
 * store keeps the records (a suspension is written when it starts, under the threshold of the
 * policy then in force); nothing here reads the clock or the database.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface StrikeRecord {
  id: string;
  category: Category;
  decisionId: string;
  /** ISO 8601 instants. */
  createdAt: string;
  expiresAt: string;
  /** Set when an appeal (or a person) found the strike wrong: it never counts again. */
  liftedAt: string | null;
}

export interface SuspensionRecord {
  id: string;
  startedAt: string;
  /** Null: until a person reinstates the account. */
  until: string | null;
  automatic: boolean;
  /** For an automatic suspension: the threshold that was met, as the policy said then. */
  threshold: SuspensionThreshold | null;
  /** Set when a reinstatement, or the lifting of the strikes that caused it, ended it early. */
  endedAt: string | null;
}

export type StrikeState = 'active' | 'expired' | 'lifted';

/** When a strike landing at `at` stops counting. */
export function strikeExpiry(settings: Pick<EnforcementSettings, 'strike_expiry_days'>, at: string): string {
  return new Date(Date.parse(at) + settings.strike_expiry_days * DAY_MS).toISOString();
}

export function strikeState(strike: StrikeRecord, now: string): StrikeState {
  if (strike.liftedAt !== null && strike.liftedAt <= now) return 'lifted';
  return Date.parse(now) < Date.parse(strike.expiresAt) ? 'active' : 'expired';
}

/**
 * The strikes that count towards `threshold` at `at`: of its category (any, for `any`), landed
 * within its window up to `at`, not yet expired and never lifted.
 */
export function strikesCounted(threshold: SuspensionThreshold, strikes: readonly StrikeRecord[], at: string): StrikeRecord[] {
  const end = Date.parse(at);
  const start = end - threshold.within_days * DAY_MS;
  return strikes.filter((strike) => {
    const created = Date.parse(strike.createdAt);
    return (
      strike.liftedAt === null &&
      (threshold.category === 'any' || strike.category === threshold.category) &&
      created > start &&
      created <= end &&
      end < Date.parse(strike.expiresAt)
    );
  });
}

export interface TrippedThreshold {
  threshold: SuspensionThreshold;
  /** The strikes that met it, oldest first. */
  strikes: StrikeRecord[];
  /** Null: indefinite. */
  until: string | null;
}

/**
 * The threshold met at `at` that suspends longest (an indefinite one first), or undefined. The
 * strike handler asks this right after strikes land, naming them in `landed`: only a threshold
 * those strikes count towards is tripped by them, so a strike of another kind never revives a
 * threshold a person already answered by reinstating the account.
 */
export function trippedThreshold(
  settings: Pick<EnforcementSettings, 'thresholds'>,
  strikes: readonly StrikeRecord[],
  at: string,
  landed?: ReadonlySet<string>,
): TrippedThreshold | undefined {
  let best: TrippedThreshold | undefined;
  for (const threshold of settings.thresholds) {
    const counted = strikesCounted(threshold, strikes, at);
    if (counted.length < threshold.strikes) continue;
    if (landed !== undefined && !counted.some((strike) => landed.has(strike.id))) continue;
    const until = threshold.suspend_days === null ? null : new Date(Date.parse(at) + threshold.suspend_days * DAY_MS).toISOString();
    if (best === undefined || longer(until, best.until)) {
      best = { threshold, strikes: [...counted].sort((a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id)), until };
    }
  }
  return best;
}

/** Whether a suspension `a` ends after `b` (null = never ends). */
export function longer(a: string | null, b: string | null): boolean {
  if (b === null) return false;
  if (a === null) return true;
  return Date.parse(a) > Date.parse(b);
}

export function suspensionActive(suspension: SuspensionRecord, now: string): boolean {
  if (suspension.startedAt > now) return false;
  if (suspension.endedAt !== null && suspension.endedAt <= now) return false;
  return suspension.until === null || Date.parse(now) < Date.parse(suspension.until);
}

/**
 * The automatic suspensions that no longer stand once strikes were lifted: an automatic
 * suspension stands while the strikes that remain still meet its threshold at the instant it
 * started. Manual suspensions are a person's decision and only a reinstatement ends them.
 */
export function suspensionsWithoutCause(suspensions: readonly SuspensionRecord[], strikes: readonly StrikeRecord[], now: string): SuspensionRecord[] {
  return suspensions.filter(
    (s) => s.automatic && s.threshold !== null && suspensionActive(s, now) && strikesCounted(s.threshold, strikes, s.startedAt).length < s.threshold.strikes,
  );
}

export interface Standing {
  status: 'good' | 'suspended';
  /** While suspended: when the last active suspension ends; null while it is indefinite. */
  suspendedUntil: string | null;
  /** The suspensions in force, the one ending last first. */
  activeSuspensions: SuspensionRecord[];
  active: StrikeRecord[];
  expired: StrikeRecord[];
  lifted: StrikeRecord[];
}

/** Where an account stands at `now`, from its strikes and suspensions. */
export function accountStanding(strikes: readonly StrikeRecord[], suspensions: readonly SuspensionRecord[], now: string): Standing {
  const byState: Record<StrikeState, StrikeRecord[]> = { active: [], expired: [], lifted: [] };
  for (const strike of [...strikes].sort((a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id))) byState[strikeState(strike, now)].push(strike);
  const activeSuspensions = suspensions
    .filter((s) => suspensionActive(s, now))
    .sort((a, b) => (longer(a.until, b.until) ? -1 : longer(b.until, a.until) ? 1 : 0));
  const first = activeSuspensions[0];
  return {
    status: first ? 'suspended' : 'good',
    suspendedUntil: first ? first.until : null,
    activeSuspensions,
    active: byState.active,
    expired: byState.expired,
    lifted: byState.lifted,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
