import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { members, sessions, tokens } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { Gone, Invalid, NotFound, TooManyRequests, Unauthorized } from '../../shared/errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../shared/passwords.ts';
import { generateToken, hashToken } from '../../shared/tokens.ts';
import { recordAudit } from '../audit/record.ts';
import { consumeSecondFactor } from './mfa.ts';
import { isLocked, recordFailure, SIGN_IN_FAILED, throttleIp } from './signIn.ts';
import { revokeAllOf } from './sessions.ts';

const RESET_MS = 1 * HOUR;

export async function checkedHash(ctx: Ctx, password: string, who: { name: string; email: string }, field = 'password') {
  const problem = passwordProblem(password, who);
  if (problem) throw new Invalid(problem, { [field]: problem });
  return hashPassword(password, ctx.config.argon2);
}

export function listSessions(ctx: Ctx) {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor;
  return ctx.db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      ip: sessions.ip,
      userAgent: sessions.userAgent
    })
    .from(sessions)
    .where(and(eq(sessions.memberId, actor.id), gt(sessions.expiresAt, ctx.clock.now())))
    .orderBy(desc(sessions.lastSeenAt))
    .all()
    .map((s) => ({ ...s, id: s.id.slice(0, 16), current: s.id === actor.sessionId }));
}

/** Revoke one of my sessions, named by the first 16 hex characters of its id. */
export function revokeSession(ctx: Ctx, shortId: string): void {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor;
  const mine = ctx.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.memberId, actor.id)).all();
  const target = mine.find((s) => s.id.startsWith(shortId) && shortId.length === 16);
  if (!target) throw new NotFound('That session was not found; it may have ended already.');
  ctx.db.transaction((tx) => {
    tx.delete(sessions).where(eq(sessions.id, target.id)).run();
    recordAudit(tx, ctx, { action: 'session.revoked', targetType: 'session', targetId: target.id.slice(0, 16) });
  });
  ctx.bus.publish({ type: 'session.revoked', memberId: actor.id, sessionIds: [target.id] });
}

/** "Sign out everywhere", this browser included. */
export function revokeAllSessions(ctx: Ctx): void {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor;
  const ids = ctx.db.transaction((tx) => {
    const revoked = revokeAllOf(tx, actor.id);
    recordAudit(tx, ctx, {
      action: 'session.revoked',
      targetType: 'member',
      targetId: actor.id,
      detail: { count: revoked.length, all: true }
    });
    return revoked;
  });
  ctx.bus.publish({ type: 'session.revoked', memberId: actor.id, sessionIds: ids });
}

/** Every session ends on a password change; this browser gets a fresh one. */
export async function changePassword(
  ctx: Ctx,
  input: { currentPassword: string; newPassword: string }
): Promise<{ token: string }> {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor;
  const member = ctx.db.select().from(members).where(eq(members.id, actor.id)).get();
  if (!member?.passwordHash || !(await verifyPassword(member.passwordHash, input.currentPassword))) {
    throw new Invalid('Your current password is not right.', { currentPassword: 'Your current password is not right.' });
  }
  if (input.currentPassword === input.newPassword) {
    throw new Invalid('Choose a password different from the current one.', { newPassword: 'Choose a different password.' });
  }
  const hash = await checkedHash(ctx, input.newPassword, member, 'newPassword');
  const { token, ids } = ctx.db.transaction((tx) => {
    tx.update(members).set({ passwordHash: hash, updatedAt: ctx.clock.now() }).where(eq(members.id, actor.id)).run();
    const revoked = revokeAllOf(tx, actor.id);
    recordAudit(tx, ctx, { action: 'auth.password_changed', targetType: 'member', targetId: actor.id });
    return { token: ctx.sessions.create(actor.id, ctx.ip, ctx.userAgent).token, ids: revoked };
  });
  ctx.bus.publish({ type: 'session.revoked', memberId: actor.id, sessionIds: ids });
  ctx.bus.publish({ type: 'member.password_changed', memberId: actor.id, email: member.email, name: member.name });
  return { token };
}

/** Always the same answer, whether or not the address belongs to a member. */
export function requestPasswordReset(ctx: Ctx, emailInput: string): void {
  const email = emailInput.trim().toLowerCase();
  const now = ctx.clock.now();
  const wait = ctx.limiter.hit(`reset:ip:${ctx.ip}`, [{ limit: 5, windowMs: 15 * MINUTE }], now);
  if (wait > 0) throw new TooManyRequests(`Too many reset requests. Try again in ${wait} seconds.`, wait);
  // At most 3 mails an hour to one address, silently: the answer must not differ.
  if (ctx.limiter.hit(`reset:email:${email}`, [{ limit: 3, windowMs: HOUR }], now) > 0) return;
  const member = ctx.db.select().from(members).where(eq(members.email, email)).get();
  if (!member || !member.passwordHash || !['active', 'pending'].includes(member.status)) return;
  const token = generateToken();
  ctx.db.transaction((tx) => {
    tx.update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.memberId, member.id), eq(tokens.purpose, 'password_reset'), isNull(tokens.usedAt)))
      .run();
    tx.insert(tokens)
      .values({ id: hashToken(token), purpose: 'password_reset', memberId: member.id, expiresAt: now + RESET_MS, createdAt: now })
      .run();
    recordAudit(tx, ctx, {
      action: 'auth.password_reset_requested',
      actorId: member.id,
      actorEmail: member.email,
      targetType: 'member',
      targetId: member.id
    });
  });
  ctx.bus.publish({
    type: 'member.password_reset_requested',
    memberId: member.id,
    email: member.email,
    name: member.name,
    token
  });
}

function findResetToken(ctx: Ctx, token: string) {
  const row = ctx.db
    .select()
    .from(tokens)
    .where(and(eq(tokens.id, hashToken(token)), eq(tokens.purpose, 'password_reset')))
    .get();
  if (!row || row.usedAt !== null || row.expiresAt <= ctx.clock.now() || row.memberId === null) {
    throw new Gone('This reset link has expired or was already used. Ask for a new one.');
  }
  const member = ctx.db.select().from(members).where(eq(members.id, row.memberId)).get();
  if (!member) throw new Gone('This reset link has expired or was already used. Ask for a new one.');
  return { row, member };
}

export function passwordResetInfo(ctx: Ctx, token: string) {
  const { member } = findResetToken(ctx, token);
  return { mfaRequired: member.mfaEnabledAt !== null };
}

/** A reset never bypasses MFA: an enrolled member must give a code too. Sessions all end. */
export async function resetPassword(ctx: Ctx, input: { token: string; password: string; code?: string }): Promise<void> {
  const { row, member } = findResetToken(ctx, input.token);
  if (member.mfaEnabledAt) {
    // A reset link must not become a way to guess TOTP codes: same throttle and lockout as sign-in.
    // Without MFA, the link (proof of the mailbox) is the whole check, and it lifts a lockout.
    throttleIp(ctx, 'reset');
    if (isLocked(ctx, member)) throw new Unauthorized(SIGN_IN_FAILED);
  }
  if (member.mfaEnabledAt && !input.code) {
    throw new Invalid('Enter the code from your authenticator app (or a recovery code).', { code: 'A code is required.' });
  }
  const hash = await checkedHash(ctx, input.password, member);
  const ids = ctx.db.transaction((tx) => {
    // consumeSecondFactor writes nothing when the code is wrong, so returning null commits nothing.
    if (member.mfaEnabledAt && !consumeSecondFactor(ctx, tx, member, input.code ?? '')) return null;
    const claimed = tx
      .update(tokens)
      .set({ usedAt: ctx.clock.now() })
      .where(and(eq(tokens.id, row.id), isNull(tokens.usedAt)))
      .run();
    if (claimed.changes !== 1) throw new Gone('This reset link was already used.');
    tx.update(members)
      .set({ passwordHash: hash, failedSignIns: 0, firstFailedAt: null, lockedUntil: null, updatedAt: ctx.clock.now() })
      .where(eq(members.id, member.id))
      .run();
    recordAudit(tx, ctx, {
      action: 'auth.password_reset',
      actorId: member.id,
      actorEmail: member.email,
      targetType: 'member',
      targetId: member.id
    });
    return revokeAllOf(tx, member.id);
  });
  if (ids === null) {
    recordFailure(ctx, member, 'auth.mfa_failed');
    throw new Invalid('That code did not work. Enter the current 6-digit code, or a recovery code.', {
      code: 'That code did not work.'
    });
  }
  ctx.bus.publish({ type: 'session.revoked', memberId: member.id, sessionIds: ids });
  ctx.bus.publish({ type: 'member.password_changed', memberId: member.id, email: member.email, name: member.name });
}
