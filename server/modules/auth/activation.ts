import { and, eq, inArray, isNull } from 'drizzle-orm';
import { members, tokens } from '../../../db/schema/index.ts';
import type { Deps, Ctx } from '../../context.ts';
import { authorize, roleRequiresMfa } from '../../policies/index.ts';
import { DAY } from '../../shared/clock.ts';
import { Conflict, Gone, Invalid } from '../../shared/errors.ts';
import { generateToken, hashToken } from '../../shared/tokens.ts';
import { recordAudit } from '../audit/record.ts';
import { checkedHash } from './account.ts';

const SETUP_MS = 1 * DAY;

function findToken(ctx: Ctx, token: string, purpose: 'activation' | 'setup') {
  const row = ctx.db
    .select()
    .from(tokens)
    .where(and(eq(tokens.id, hashToken(token)), eq(tokens.purpose, purpose)))
    .get();
  if (!row || row.usedAt !== null || row.expiresAt <= ctx.clock.now()) {
    throw new Gone(
      purpose === 'activation'
        ? 'This activation link has expired or was already used. Ask the program office for a new one.'
        : 'This set-up link has expired or was already used. Restart the server to print a new one.'
    );
  }
  return row;
}

export function activationInfo(ctx: Ctx, token: string) {
  const row = findToken(ctx, token, 'activation');
  const member = ctx.db
    .select()
    .from(members)
    .where(eq(members.id, row.memberId ?? -1))
    .get();
  if (!member) throw new Gone('This activation link is no longer valid.');
  return {
    name: member.name,
    email: member.email,
    mfaRequired: !ctx.config.demo && roleRequiresMfa(member.role, ctx.settings.get().requireMfaForAll)
  };
}

/** Set the first password; the member is signed in to finish activation (MFA, system-use notice). */
export async function activate(ctx: Ctx, input: { token: string; password: string }): Promise<{ token: string }> {
  const row = findToken(ctx, input.token, 'activation');
  const member = ctx.db
    .select()
    .from(members)
    .where(eq(members.id, row.memberId ?? -1))
    .get();
  if (!member || member.status !== 'pending') throw new Gone('This activation link is no longer valid.');
  const hash = await checkedHash(ctx, input.password, member);
  return ctx.db.transaction((tx) => {
    const claimed = tx
      .update(tokens)
      .set({ usedAt: ctx.clock.now() })
      .where(and(eq(tokens.id, row.id), isNull(tokens.usedAt)))
      .run();
    if (claimed.changes !== 1) throw new Gone('This activation link was already used.');
    tx.update(members).set({ passwordHash: hash, updatedAt: ctx.clock.now() }).where(eq(members.id, member.id)).run();
    return { token: ctx.sessions.create(member.id, ctx.ip, ctx.userAgent).token };
  });
}

/** Read and accept the system-use notice: the last step; the account becomes active. */
export function acceptNotice(ctx: Ctx): void {
  authorize(ctx.actor, 'session');
  const actor = ctx.actor;
  if (actor.onboarding === 'mfa') throw new Conflict('Set up two-step verification first.');
  const now = ctx.clock.now();
  const wasPending = actor.status === 'pending';
  ctx.db.transaction((tx) => {
    tx.update(members)
      .set({ noticeAcceptedAt: now, status: 'active', lastActiveAt: now, updatedAt: now })
      .where(and(eq(members.id, actor.id), inArray(members.status, ['pending', 'active'])))
      .run();
    recordAudit(tx, ctx, {
      action: wasPending ? 'member.activated' : 'member.notice_accepted',
      targetType: 'member',
      targetId: actor.id
    });
  });
  if (wasPending) ctx.bus.publish({ type: 'member.activated', memberId: actor.id });
}

function hasAdmin(deps: Pick<Deps, 'db'>): boolean {
  return (
    deps.db
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.role, 'admin'), inArray(members.status, ['active', 'pending'])))
      .get() !== undefined
  );
}

/**
 * With no admin yet, a one-time set-up link (24 h) creates the first one. No default account exists.
 * Returns the link to print, or null when an admin exists.
 */
export function issueSetupLink(deps: Pick<Deps, 'db' | 'clock' | 'config'>): string | null {
  if (hasAdmin(deps)) return null;
  const token = generateToken();
  const now = deps.clock.now();
  deps.db.transaction((tx) => {
    tx.update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.purpose, 'setup'), isNull(tokens.usedAt)))
      .run();
    tx.insert(tokens)
      .values({ id: hashToken(token), purpose: 'setup', expiresAt: now + SETUP_MS, createdAt: now })
      .run();
  });
  return `${deps.config.publicOrigin}/setup?token=${token}`;
}

export function setupInfo(ctx: Ctx, token: string) {
  findToken(ctx, token, 'setup');
  if (hasAdmin(ctx)) throw new Gone('An administrator already exists.');
  return { valid: true };
}

export async function setupFirstAdmin(ctx: Ctx, input: { token: string; name: string; email: string; password: string }) {
  const row = findToken(ctx, input.token, 'setup');
  if (hasAdmin(ctx)) throw new Gone('An administrator already exists.');
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  if (!name) throw new Invalid('Enter your name.', { name: 'Enter your name.' });
  const hash = await checkedHash(ctx, input.password, { name, email });
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) => {
    const claimed = tx
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.id, row.id), isNull(tokens.usedAt)))
      .run();
    if (claimed.changes !== 1) throw new Gone('This set-up link was already used.');
    if (tx.select({ id: members.id }).from(members).where(eq(members.email, email)).get()) {
      throw new Conflict('A member with that e-mail already exists.');
    }
    const created = tx
      .insert(members)
      .values({
        email,
        name,
        role: 'admin',
        status: 'pending',
        passwordHash: hash,
        jobTitle: 'Administrator',
        createdAt: now,
        updatedAt: now
      })
      .returning({ id: members.id })
      .get();
    recordAudit(tx, ctx, {
      action: 'setup.admin_created',
      actorId: created.id,
      actorEmail: email,
      targetType: 'member',
      targetId: created.id
    });
    return { token: ctx.sessions.create(created.id, ctx.ip, ctx.userAgent).token };
  });
}
