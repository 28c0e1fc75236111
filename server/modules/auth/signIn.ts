import { and, eq, lt } from 'drizzle-orm';
import { members, signInChallenges, sessions } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { MINUTE } from '../../shared/clock.ts';
import { Forbidden, TooManyRequests, Unauthorized } from '../../shared/errors.ts';
import { hashPassword, verifyPassword } from '../../shared/passwords.ts';
import { generateToken, hashToken } from '../../shared/tokens.ts';
import { recordAudit } from '../audit/record.ts';
import { consumeSecondFactor } from './mfa.ts';

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_WINDOW_MS = 15 * MINUTE;
export const LOCKOUT_DURATION_MS = 30 * MINUTE;
const CHALLENGE_MS = 5 * MINUTE;

/** One answer for a wrong password, an unknown account and a locked one (no account enumeration). */
export const SIGN_IN_FAILED =
  'Those details did not work. Check your e-mail and password. After 5 failed attempts an account is locked for 30 minutes.';

type Member = typeof members.$inferSelect;
export type SignInResult = { kind: 'session'; token: string } | { kind: 'mfa'; challengeToken: string };

let dummyHash: Promise<string> | null = null;

export function throttleIp(ctx: Ctx, scope: string): void {
  const wait = ctx.limiter.hit(
    `${scope}:ip:${ctx.ip}`,
    [
      { limit: 6, windowMs: MINUTE },
      { limit: 30, windowMs: 60 * MINUTE }
    ],
    ctx.clock.now()
  );
  if (wait > 0) throw new TooManyRequests(`Too many sign-in attempts from this network. Try again in ${wait} seconds.`, wait);
}

/** Counts a failure against the account; the 5th within 15 minutes locks it for 30 (CJIS AC-7). */
export function recordFailure(ctx: Ctx, member: Member, action: 'auth.sign_in_failed' | 'auth.mfa_failed'): void {
  const now = ctx.clock.now();
  const windowOpen = member.firstFailedAt !== null && now - member.firstFailedAt < LOCKOUT_WINDOW_MS;
  const failures = windowOpen ? member.failedSignIns + 1 : 1;
  const locks = failures >= LOCKOUT_THRESHOLD;
  ctx.db.transaction((tx) => {
    tx.update(members)
      .set({
        failedSignIns: locks ? 0 : failures,
        firstFailedAt: locks ? null : windowOpen ? member.firstFailedAt : now,
        lockedUntil: locks ? now + LOCKOUT_DURATION_MS : member.lockedUntil
      })
      .where(eq(members.id, member.id))
      .run();
    recordAudit(tx, ctx, {
      action,
      outcome: 'failure',
      actorId: member.id,
      actorEmail: member.email,
      targetType: 'member',
      targetId: member.id
    });
    if (locks) {
      recordAudit(tx, ctx, {
        action: 'auth.lockout',
        outcome: 'failure',
        actorId: member.id,
        actorEmail: member.email,
        targetType: 'member',
        targetId: member.id,
        detail: { until: now + LOCKOUT_DURATION_MS }
      });
    }
  });
}

export function isLocked(ctx: Ctx, member: Member): boolean {
  return member.lockedUntil !== null && member.lockedUntil > ctx.clock.now();
}

/** A member who proved their password but may not enter is told why (only then). */
function refuseInactive(member: Member): void {
  const messages: Record<string, string> = {
    suspended: 'Your account is suspended. Contact the program office.',
    expired: "Your access ended with your task force's grant period. Ask your coordinator or the program office.",
    disabled: 'Your account was disabled after a long time unused. Contact the program office to re-enable it.'
  };
  const message = messages[member.status];
  if (message) throw new Forbidden(message);
}

function startSession(ctx: Ctx, member: Member, via: 'password' | 'totp' | 'recovery'): string {
  return ctx.db.transaction((tx) => {
    tx.update(members).set({ failedSignIns: 0, firstFailedAt: null, lockedUntil: null }).where(eq(members.id, member.id)).run();
    const { token } = ctx.sessions.create(member.id, ctx.ip, ctx.userAgent);
    recordAudit(tx, ctx, {
      action: 'auth.sign_in',
      actorId: member.id,
      actorEmail: member.email,
      targetType: 'member',
      targetId: member.id,
      detail: { via }
    });
    if (via === 'recovery') {
      recordAudit(tx, ctx, {
        action: 'mfa.recovery_code_used',
        actorId: member.id,
        actorEmail: member.email,
        targetType: 'member',
        targetId: member.id
      });
    }
    return token;
  });
}

export async function signIn(ctx: Ctx, input: { email: string; password: string }): Promise<SignInResult> {
  throttleIp(ctx, 'sign-in');
  const email = input.email.trim().toLowerCase();
  const member = ctx.db.select().from(members).where(eq(members.email, email)).get();
  if (!member || !member.passwordHash) {
    // Spend the same time as a real check, so timing does not reveal which addresses exist.
    dummyHash ??= hashPassword('not a real password for timing', ctx.config.argon2);
    await verifyPassword(await dummyHash, input.password);
    recordAudit(ctx.db, ctx, {
      action: 'auth.sign_in_failed',
      outcome: 'failure',
      actorId: null,
      // Only what looks like an address: a password typed into the wrong field must not reach the log.
      actorEmail: /^[^\s@]+@[^\s@]+$/.test(email) ? email.slice(0, 254) : '(not an e-mail address)',
      detail: { reason: 'unknown_account' }
    });
    throw new Unauthorized(SIGN_IN_FAILED);
  }
  if (isLocked(ctx, member)) {
    await verifyPassword(member.passwordHash, input.password);
    recordAudit(ctx.db, ctx, {
      action: 'auth.sign_in_failed',
      outcome: 'failure',
      actorId: member.id,
      actorEmail: member.email,
      targetType: 'member',
      targetId: member.id,
      detail: { reason: 'locked' }
    });
    throw new Unauthorized(SIGN_IN_FAILED);
  }
  if (!(await verifyPassword(member.passwordHash, input.password))) {
    recordFailure(ctx, member, 'auth.sign_in_failed');
    throw new Unauthorized(SIGN_IN_FAILED);
  }
  refuseInactive(member);
  if (member.mfaEnabledAt && member.totpKey) {
    const challengeToken = generateToken();
    ctx.db.transaction((tx) => {
      tx.delete(signInChallenges).where(lt(signInChallenges.expiresAt, ctx.clock.now())).run();
      tx.insert(signInChallenges)
        .values({ id: hashToken(challengeToken), memberId: member.id, expiresAt: ctx.clock.now() + CHALLENGE_MS })
        .run();
    });
    return { kind: 'mfa', challengeToken };
  }
  return { kind: 'session', token: startSession(ctx, member, 'password') };
}

/** The second step: a TOTP or recovery code for the member who just gave the right password. */
export async function completeMfa(ctx: Ctx, challengeToken: string | undefined, code: string): Promise<{ token: string }> {
  throttleIp(ctx, 'mfa');
  const expired = new Unauthorized('Your sign-in step expired. Please enter your e-mail and password again.');
  if (!challengeToken) throw expired;
  const id = hashToken(challengeToken);
  const challenge = ctx.db.select().from(signInChallenges).where(eq(signInChallenges.id, id)).get();
  if (!challenge || challenge.expiresAt <= ctx.clock.now()) throw expired;
  const member = ctx.db.select().from(members).where(eq(members.id, challenge.memberId)).get();
  if (!member || isLocked(ctx, member)) {
    ctx.db.delete(signInChallenges).where(eq(signInChallenges.id, id)).run();
    throw new Unauthorized(SIGN_IN_FAILED);
  }
  refuseInactive(member);
  const via = ctx.db.transaction((tx) => {
    const used = consumeSecondFactor(ctx, tx, member, code);
    if (used) tx.delete(signInChallenges).where(eq(signInChallenges.id, id)).run();
    return used;
  });
  if (!via) {
    recordFailure(ctx, member, 'auth.mfa_failed');
    throw new Unauthorized(
      'That code did not work. Enter the current 6-digit code from your app, or a recovery code. A code can be used only once.'
    );
  }
  return { token: startSession(ctx, member, via) };
}

export function signOut(ctx: Ctx): void {
  if (!ctx.actor) return;
  const sessionId = ctx.actor.sessionId;
  const memberId = ctx.actor.id;
  ctx.db.transaction((tx) => {
    tx.delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.memberId, memberId)))
      .run();
    recordAudit(tx, ctx, { action: 'auth.sign_out', targetType: 'member', targetId: memberId });
  });
  ctx.bus.publish({ type: 'session.revoked', memberId, sessionIds: [sessionId] });
}
