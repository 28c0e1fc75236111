import { and, eq, isNull } from 'drizzle-orm';
import QRCode from 'qrcode';
import type { Statement } from 'better-sqlite3';
import { members, recoveryCodes } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { authorize, roleRequiresMfa } from '../../policies/index.ts';
import { Conflict, Invalid } from '../../shared/errors.ts';
import { generateToken, hashToken } from '../../shared/tokens.ts';
import { manualKey, matchTotp, newTotpKey, totpUri } from '../../shared/totp.ts';
import { recordAudit } from '../audit/record.ts';
import { verifyPassword } from '../../shared/passwords.ts';

type Member = typeof members.$inferSelect;

/** Ten single-use recovery codes, shown once; only their hashes are kept. */
function newRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () => {
    const raw = generateToken().slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z2-7]/g, '');
}

/**
 * Checks a second factor for a member: a TOTP code (never the same step twice) or an unused
 * recovery code. Writes the consumed step/code; call inside the caller's transaction.
 */
export function consumeSecondFactor(ctx: Ctx, tx: DbOrTx, member: Member, code: string): 'totp' | 'recovery' | null {
  const trimmed = code.replace(/\s+/g, '');
  if (member.totpKey && /^\d{6}$/.test(trimmed)) {
    const step = matchTotp(ctx.box.open(member.totpKey), trimmed, ctx.clock.now());
    if (step === null || step <= member.totpLastStep) return null;
    tx.update(members).set({ totpLastStep: step }).where(eq(members.id, member.id)).run();
    return 'totp';
  }
  const normalised = normaliseRecoveryCode(trimmed);
  if (normalised.length !== 10) return null;
  const row = tx
    .select()
    .from(recoveryCodes)
    .where(
      and(eq(recoveryCodes.memberId, member.id), eq(recoveryCodes.codeHash, hashToken(normalised)), isNull(recoveryCodes.usedAt))
    )
    .get();
  if (!row) return null;
  tx.update(recoveryCodes).set({ usedAt: ctx.clock.now() }).where(eq(recoveryCodes.id, row.id)).run();
  return 'recovery';
}

function loadSelf(ctx: Ctx): Member {
  authorize(ctx.actor, 'session');
  const member = ctx.db.select().from(members).where(eq(members.id, ctx.actor.id)).get();
  if (!member) throw new Invalid('Your account no longer exists.');
  return member;
}

/** Step 1 of enrolment: a new key waits, encrypted, for its first correct code. */
export async function startMfaEnrolment(ctx: Ctx, password?: string) {
  const member = loadSelf(ctx);
  // Replacing a working authenticator needs the password too: a borrowed session alone must not swap it.
  if (member.mfaEnabledAt && (!member.passwordHash || !password || !(await verifyPassword(member.passwordHash, password)))) {
    throw new Invalid('Enter your current password to replace your authenticator app.', {
      password: 'Your current password is needed.'
    });
  }
  const key = newTotpKey();
  ctx.db
    .update(members)
    .set({ totpPendingKey: ctx.box.seal(key), updatedAt: ctx.clock.now() })
    .where(eq(members.id, member.id))
    .run();
  const uri = totpUri(ctx.config.siteName, member.email, key);
  return { manualKey: manualKey(key), uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
}

/** Step 2: the first code proves the app holds the key; recovery codes are returned once. */
export function confirmMfaEnrolment(ctx: Ctx, code: string): { recoveryCodes: string[] } {
  const member = loadSelf(ctx);
  if (!member.totpPendingKey) throw new Conflict('Start the set-up again: no authenticator is waiting to be confirmed.');
  const step = matchTotp(ctx.box.open(member.totpPendingKey), code.replace(/\s+/g, ''), ctx.clock.now());
  if (step === null) {
    throw new Invalid('That code is not right. Check the time on your phone and enter the current 6-digit code.', {
      code: 'That code is not right.'
    });
  }
  const codes = newRecoveryCodes();
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    tx.update(members)
      .set({ totpKey: member.totpPendingKey, totpPendingKey: null, totpLastStep: step, mfaEnabledAt: now, updatedAt: now })
      .where(eq(members.id, member.id))
      .run();
    tx.delete(recoveryCodes).where(eq(recoveryCodes.memberId, member.id)).run();
    tx.insert(recoveryCodes)
      .values(codes.map((c) => ({ memberId: member.id, codeHash: hashToken(normaliseRecoveryCode(c)) })))
      .run();
    recordAudit(tx, ctx, { action: 'mfa.enabled', targetType: 'member', targetId: member.id });
  });
  return { recoveryCodes: codes };
}

export async function disableMfa(ctx: Ctx, password: string): Promise<void> {
  authorize(ctx.actor, 'account.manage');
  const member = loadSelf(ctx);
  if (roleRequiresMfa(member.role, ctx.settings.get().requireMfaForAll)) {
    throw new Conflict('Two-step verification is required for your role or by the site, so it cannot be turned off.');
  }
  if (!member.passwordHash || !(await verifyPassword(member.passwordHash, password))) {
    throw new Invalid('Your current password is not right.', { password: 'Your current password is not right.' });
  }
  ctx.db.transaction((tx) => {
    tx.update(members)
      .set({ totpKey: null, totpPendingKey: null, mfaEnabledAt: null, updatedAt: ctx.clock.now() })
      .where(eq(members.id, member.id))
      .run();
    tx.delete(recoveryCodes).where(eq(recoveryCodes.memberId, member.id)).run();
    recordAudit(tx, ctx, { action: 'mfa.disabled', targetType: 'member', targetId: member.id });
  });
}

export async function regenerateRecoveryCodes(ctx: Ctx, password: string): Promise<{ recoveryCodes: string[] }> {
  authorize(ctx.actor, 'account.manage');
  const member = loadSelf(ctx);
  if (!member.mfaEnabledAt) throw new Conflict('Turn on two-step verification first.');
  if (!member.passwordHash || !(await verifyPassword(member.passwordHash, password))) {
    throw new Invalid('Your current password is not right.', { password: 'Your current password is not right.' });
  }
  const codes = newRecoveryCodes();
  ctx.db.transaction((tx) => {
    tx.delete(recoveryCodes).where(eq(recoveryCodes.memberId, member.id)).run();
    tx.insert(recoveryCodes)
      .values(codes.map((c) => ({ memberId: member.id, codeHash: hashToken(normaliseRecoveryCode(c)) })))
      .run();
    recordAudit(tx, ctx, { action: 'mfa.recovery_codes_regenerated', targetType: 'member', targetId: member.id });
  });
  return { recoveryCodes: codes };
}

/** GET /api/me asks on every page render: a statement prepared once per connection. */
const countStatements = new WeakMap<object, Statement<[number], { n: number }>>();

export function remainingRecoveryCodes(ctx: Ctx, memberId: number): number {
  const sqlite = ctx.db.$client;
  let statement = countStatements.get(sqlite);
  if (!statement) {
    statement = sqlite.prepare('SELECT count(*) AS n FROM recovery_codes WHERE member_id = ? AND used_at IS NULL');
    countStatements.set(sqlite, statement);
  }
  return statement.get(memberId)?.n ?? 0;
}
