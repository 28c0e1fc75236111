import { eq } from 'drizzle-orm';
import { members, taskForces, type Discipline, type MemberStatus, type Role } from '../../db/schema/index.ts';
import type { TestApp } from './app.ts';
import { hashPassword } from '../../server/shared/passwords.ts';
import { newTotpKey, totpCode } from '../../server/shared/totp.ts';
import { DAY } from '../../server/shared/clock.ts';

export const PASSWORD = 'lantern orchard velvet compass';

let counter = 0;

export function createTaskForce(t: TestApp, overrides: Partial<typeof taskForces.$inferInsert> = {}) {
  counter++;
  return t.db
    .insert(taskForces)
    .values({
      name: `Fictional Task Force ${counter}`,
      states: ['TX'],
      leadAgency: 'Example County Sheriff',
      grantEndsAt: t.clock.now() + 365 * DAY,
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
      ...overrides
    })
    .returning()
    .get();
}

export interface MemberOptions {
  role?: Role;
  status?: MemberStatus;
  taskForceId?: number | null;
  discipline?: Discipline;
  name?: string;
  email?: string;
  /** Enrol TOTP (default: for staff roles). */
  mfa?: boolean;
  noticeAccepted?: boolean;
}

export interface TestMember {
  id: number;
  email: string;
  name: string;
  password: string;
  totpKey: Uint8Array | null;
  /** A valid current TOTP code (each call moves the clock one step on, so codes never repeat). */
  code(): string;
}

export async function createMember(t: TestApp, opts: MemberOptions = {}): Promise<TestMember> {
  counter++;
  const role = opts.role ?? 'member';
  const mfa = opts.mfa ?? role !== 'member';
  const key = mfa ? newTotpKey() : null;
  const email = opts.email ?? `member${counter}@agency${counter}.example.gov`;
  const name = opts.name ?? `Test Member ${counter}`;
  const now = t.clock.now();
  const row = t.db
    .insert(members)
    .values({
      email,
      name,
      agency: 'Example Police Department',
      jobTitle: 'Detective',
      discipline: opts.discipline ?? 'law_enforcement',
      taskForceId: opts.taskForceId ?? null,
      role,
      status: opts.status ?? 'active',
      passwordHash: await hashPassword(PASSWORD, t.config.argon2),
      totpKey: key ? t.deps.box.seal(key) : null,
      mfaEnabledAt: key ? now : null,
      noticeAcceptedAt: opts.noticeAccepted === false ? null : now,
      lastActiveAt: now,
      createdAt: now,
      updatedAt: now
    })
    .returning({ id: members.id })
    .get();
  return {
    id: row.id,
    email,
    name,
    password: PASSWORD,
    totpKey: key,
    code() {
      if (!key) throw new Error('member has no TOTP');
      t.clock.advance(30_000);
      return totpCode(key, t.clock.now());
    }
  };
}

/** A session cookie for a member, made the way sign-in makes one. */
export function sessionCookie(t: TestApp, memberId: number): string {
  const { token } = t.deps.sessions.create(memberId, '127.0.0.1', 'vitest');
  return `tfc_session=${token}`;
}

export function memberRow(t: TestApp, id: number) {
  return t.db.select().from(members).where(eq(members.id, id)).get()!;
}
