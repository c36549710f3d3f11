import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

import { PerisaiError } from '../domain/errors.js';
import {
  type ConsoleUserRow,
  countFailedAttempt,
  deleteConsoleSession,
  deleteEndedSessions,
  deleteSessionsOfUser,
  findConsoleSession,
  findConsoleUserByEmail,
  insertConsoleSession,
  insertConsoleUser,
  listConsoleUsers,
  touchConsoleSession,
  updateConsoleUser,
} from '../store/repositories/console-users.js';
import { parseInput } from './parse-input.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

export const CONSOLE_ROLES = ['reviewer', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** How strongly images are hidden until revealed, weakest first. */
export const IMAGE_SHIELDS = ['blur', 'strong'] as const;
export type ImageShield = (typeof IMAGE_SHIELDS)[number];

export function strongerShield(a: ImageShield, b: ImageShield | null): ImageShield {
  if (b === null) return a;
  return IMAGE_SHIELDS.indexOf(b) > IMAGE_SHIELDS.indexOf(a) ? b : a;
}

export const consoleEmailSchema = z.string().trim().toLowerCase().pipe(z.email('must be an email address such as reviewer@example.org').max(254));
export const consolePasswordSchema = z.string().min(12, 'must be at least 12 characters long: a passphrase of a few words will do').max(1024);

/**
 * scrypt's cost, recorded with each hash so it can rise later. The default is the minimum the
 * OWASP Password Storage Cheat Sheet gives (N = 2^17, r = 8, p = 1): 128 MiB and a few tenths
 * of a second per sign-in, which the per-address login limit keeps from piling up.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keylen: number;
}
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1, keylen: 64 };

/** Time comes from the unit of work's clock (a ManualClock in tests). */
export interface ConsoleUsersOptions {
  /** Failed sign-ins in a row that lock an account. */
  maxFailures?: number;
  /** How long a lock-out lasts. */
  lockMinutes?: number;
  /** A session ends this long after sign-in, however active. */
  sessionHours?: number;
  /** A session ends after this long without a request. */
  idleMinutes?: number;
  scrypt?: ScryptParams;
}

export interface ConsoleUser {
  id: string;
  email: string;
  role: ConsoleRole;
  imageShield: ImageShield | null;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

export interface ConsoleSession {
  user: ConsoleUser;
  /** The token every state-changing form of this session must carry. */
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

export interface SignedIn {
  /** The cookie value: shown to the browser once; only its SHA-256 is stored. */
  token: string;
  session: ConsoleSession;
}

/** Where a sign-in came from, for the audit entry. */
export interface LoginOrigin {
  address: string;
}

/** Idle sessions are touched at most this often: a page view is not a write. */
const TOUCH_EVERY_MS = 60_000;

const WRONG = 'The email or password is not right: check both and try again.';

/**
 * The people who sign in to the web console, and their sessions. Passwords are scrypt hashes
 * with a per-user salt, compared in constant time; an unknown email costs the same hash, so
 * timing does not tell which emails exist. Each sign-in attempt, successful or not, is an audit
 * entry (never the password). An account locks after `maxFailures` wrong passwords in a row for
 * `lockMinutes`, counted in the database so every instance shares the count.
 */
export class ConsoleUsersService {
  private readonly maxFailures: number;
  private readonly lockMs: number;
  private readonly sessionMs: number;
  private readonly idleMs: number;
  private readonly params: ScryptParams;
  private dummy: Promise<{ salt: Buffer; hash: Buffer }> | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    options: ConsoleUsersOptions = {},
  ) {
    this.maxFailures = options.maxFailures ?? 5;
    this.lockMs = (options.lockMinutes ?? 15) * 60_000;
    this.sessionMs = (options.sessionHours ?? 12) * 3_600_000;
    this.idleMs = (options.idleMinutes ?? 30) * 60_000;
    this.params = options.scrypt ?? DEFAULT_SCRYPT;
  }

  get limits(): { maxFailures: number; lockMinutes: number; sessionHours: number; idleMinutes: number } {
    return { maxFailures: this.maxFailures, lockMinutes: this.lockMs / 60_000, sessionHours: this.sessionMs / 3_600_000, idleMinutes: this.idleMs / 60_000 };
  }

  /** Creates a user; without a password one is generated and returned (shown once, never stored). */
  async create(email: string, role: ConsoleRole, password: string | undefined, actor: string): Promise<{ user: ConsoleUser; generatedPassword?: string }> {
    const address = parseInput(consoleEmailSchema, email, 'email');
    if (!CONSOLE_ROLES.includes(role))
      throw new PerisaiError('invalid_arguments', `The role ${String(role)} is unknown: choose ${CONSOLE_ROLES.join(' or ')}.`);
    const generated = password === undefined ? randomBytes(18).toString('base64url') : undefined;
    const secret = parseInput(consolePasswordSchema, password ?? generated, 'password');
    const salt = randomBytes(16);
    const hash = await derive(secret, salt, this.params);
    const user = await this.uow.run(async (tx) => {
      if (await findConsoleUserByEmail(tx.db, address)) {
        throw new PerisaiError('conflict', `A console user ${address} exists already: list users with \`perisai users list\`.`);
      }
      const row: ConsoleUserRow = {
        id: `usr_${randomUUID().replaceAll('-', '')}`,
        email: address,
        role,
        password_hash: hash.toString('hex'),
        password_salt: salt.toString('hex'),
        password_params: JSON.stringify(this.params),
        failed_attempts: 0,
        locked_until: null,
        image_shield: null,
        disabled_at: null,
        created_at: tx.at,
        updated_at: tx.at,
      };
      await insertConsoleUser(tx.db, row);
      await tx.audit([{ kind: 'console.user_created', subject: row.id, actor, payload: { email: address, role } }]);
      return userView(row);
    });
    return generated === undefined ? { user } : { user, generatedPassword: generated };
  }

  async list(): Promise<ConsoleUser[]> {
    return (await listConsoleUsers(this.uow.db)).map(userView);
  }

  /** Disables a user and ends their sessions at once. */
  async disable(email: string, actor: string): Promise<ConsoleUser> {
    const address = parseInput(consoleEmailSchema, email, 'email');
    return this.uow.run(async (tx) => {
      const row = await findConsoleUserByEmail(tx.db, address);
      if (!row) throw new PerisaiError('not_found', `No console user has the email ${address}: list users with \`perisai users list\`.`);
      if (row.disabled_at === null) {
        await updateConsoleUser(tx.db, row.id, { disabled_at: tx.at, updated_at: tx.at });
        const ended = await deleteSessionsOfUser(tx.db, row.id);
        await tx.audit([{ kind: 'console.user_disabled', subject: row.id, actor, payload: { email: address, sessions_ended: ended } }]);
      }
      return userView({ ...row, disabled_at: row.disabled_at ?? tx.at });
    });
  }

  /**
   * Checks the password and opens a session. A wrong password, an unknown email and a disabled
   * account get the same `unauthorized` answer; a locked account gets `rate_limited` with the
   * seconds until it unlocks. Every attempt is audited, in the same transaction as its count.
   */
  async login(email: string, password: string, origin: LoginOrigin): Promise<SignedIn> {
    const parsed = consoleEmailSchema.safeParse(email);
    const address = parsed.success ? parsed.data : null;
    const row = address === null ? undefined : await findConsoleUserByEmail(this.uow.db, address);
    const now = this.uow.clock.now();
    const audit = (tx: Tx, subject: string, outcome: string, extra: Record<string, unknown> = {}) =>
      tx.audit([{ kind: 'console.login', subject, actor: address ?? '(not an email)', payload: { outcome, address: origin.address, ...extra } }]);

    if (!row) {
      await this.burn(password);
      await this.uow.run((tx) => audit(tx, 'console_user:unknown', 'unknown_user'));
      throw new PerisaiError('unauthorized', WRONG);
    }
    if (row.locked_until !== null && new Date(row.locked_until).getTime() > now.getTime()) {
      await this.uow.run((tx) => audit(tx, row.id, 'locked', { locked_until: row.locked_until }));
      const seconds = Math.ceil((new Date(row.locked_until).getTime() - now.getTime()) / 1000);
      throw new PerisaiError(
        'rate_limited',
        `This account is locked after ${this.maxFailures} wrong passwords in a row: try again in ${Math.ceil(seconds / 60)} min, or ask an admin.`,
        { retryAfterSeconds: seconds },
      );
    }
    const matches = await this.verify(row, password);
    if (!matches || row.disabled_at !== null) {
      const lockedUntil = await this.uow.run(async (tx) => {
        if (row.disabled_at !== null) {
          await audit(tx, row.id, 'disabled');
          return null;
        }
        const failures = await countFailedAttempt(tx.db, row.id, tx.at);
        if (failures < this.maxFailures) {
          await audit(tx, row.id, 'wrong_password', { failed_attempts: failures });
          return null;
        }
        const until = new Date(new Date(tx.at).getTime() + this.lockMs).toISOString();
        await updateConsoleUser(tx.db, row.id, { failed_attempts: 0, locked_until: until, updated_at: tx.at });
        await audit(tx, row.id, 'wrong_password', { failed_attempts: failures, locked_until: until });
        return until;
      });
      if (lockedUntil !== null) {
        throw new PerisaiError(
          'rate_limited',
          `That was the ${this.maxFailures}th wrong password in a row: this account is locked for ${this.lockMs / 60_000} min.`,
          {
            retryAfterSeconds: this.lockMs / 1000,
          },
        );
      }
      throw new PerisaiError('unauthorized', WRONG);
    }
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    return this.uow.run(async (tx) => {
      const expiresAt = new Date(new Date(tx.at).getTime() + this.sessionMs).toISOString();
      await updateConsoleUser(tx.db, row.id, { failed_attempts: 0, locked_until: null, updated_at: tx.at });
      // Sessions that ended without a sign-out are never looked up again: clear them here.
      await deleteEndedSessions(tx.db, row.id, tx.at, new Date(new Date(tx.at).getTime() - this.idleMs).toISOString());
      await insertConsoleSession(tx.db, { id_hash: sha256(token), user_id: row.id, csrf, created_at: tx.at, expires_at: expiresAt, last_seen_at: tx.at });
      await audit(tx, row.id, 'success');
      return { token, session: { user: userView({ ...row, failed_attempts: 0, locked_until: null }), csrf, createdAt: tx.at, expiresAt } };
    });
  }

  /** The live session a cookie names, or undefined when it is unknown, expired, idle too long or its user disabled. */
  async session(token: string | undefined): Promise<ConsoleSession | undefined> {
    if (!token || token.length > 200) return undefined;
    const idHash = sha256(token);
    const found = await findConsoleSession(this.uow.db, idHash);
    if (!found) return undefined;
    const now = this.uow.clock.now().getTime();
    const lastSeen = new Date(found.last_seen_at).getTime();
    if (now >= new Date(found.expires_at).getTime() || now - lastSeen >= this.idleMs || found.user.disabled_at !== null) {
      await deleteConsoleSession(this.uow.db, idHash);
      return undefined;
    }
    if (now - lastSeen >= TOUCH_EVERY_MS) await touchConsoleSession(this.uow.db, idHash, new Date(now).toISOString());
    return { user: userView(found.user), csrf: found.csrf, createdAt: found.created_at, expiresAt: found.expires_at };
  }

  /** Ends the session the cookie names (audited); nothing happens for an unknown one. */
  async logout(token: string | undefined): Promise<void> {
    if (!token) return;
    const session = await this.session(token);
    if (!session) return;
    await this.uow.run(async (tx) => {
      if (await deleteConsoleSession(tx.db, sha256(token))) {
        await tx.audit([{ kind: 'console.logout', subject: session.user.id, actor: session.user.email, payload: {} }]);
      }
    });
  }

  /** Refuses a form whose CSRF token is not this session's. */
  checkCsrf(session: ConsoleSession, token: unknown): void {
    if (typeof token !== 'string' || !sameSecret(token, session.csrf)) {
      throw new PerisaiError('forbidden', 'The form is out of date or came from another site: reload the page and submit it again.');
    }
  }

  /** Sets a person's own image shield; it can only be as strong as the organisation's or stronger. */
  async setImageShield(session: ConsoleSession, shield: ImageShield | null, organisation: ImageShield): Promise<ConsoleUser> {
    if (shield !== null && strongerShield(organisation, shield) !== shield) {
      throw new PerisaiError('invalid_request', `The organisation shields images with "${organisation}": a personal setting can only be that or stronger.`);
    }
    return this.uow.run(async (tx) => {
      await updateConsoleUser(tx.db, session.user.id, { image_shield: shield, updated_at: tx.at });
      await tx.audit([{ kind: 'console.image_shield_set', subject: session.user.id, actor: session.user.email, payload: { image_shield: shield } }]);
      return { ...session.user, imageShield: shield };
    });
  }

  private async verify(row: ConsoleUserRow, password: string): Promise<boolean> {
    const params = JSON.parse(row.password_params) as ScryptParams;
    const expected = Buffer.from(row.password_hash, 'hex');
    const actual = await derive(password, Buffer.from(row.password_salt, 'hex'), params);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** The same work as a real check, for an email that has no user. */
  private async burn(password: string): Promise<void> {
    this.dummy ??= (async () => {
      const salt = randomBytes(16);
      return { salt, hash: await derive(randomBytes(16).toString('hex'), salt, this.params) };
    })();
    const { salt, hash } = await this.dummy;
    timingSafeEqual(await derive(password, salt, this.params), hash);
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above 128 · N · r, or Node refuses the parameters.
    scrypt(password.normalize('NFKC'), salt, params.keylen, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two tokens of any length. */
export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function userView(row: ConsoleUserRow): ConsoleUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role as ConsoleRole,
    imageShield: (row.image_shield as ImageShield | null) ?? null,
    disabled: row.disabled_at !== null,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
  };
}
