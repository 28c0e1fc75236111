import type { Statement } from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { sessions } from '../../../db/schema/index.ts';
import type { Deps } from '../../context.ts';
import { roleRequiresMfa, type Actor } from '../../policies/index.ts';
import type { Discipline, MemberStatus, Role } from '../../../db/schema/index.ts';
import { generateToken, hashToken } from '../../shared/tokens.ts';
import { MINUTE } from '../../shared/clock.ts';

interface SessionRow {
  id: string;
  memberId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  email: string;
  name: string;
  role: Role;
  status: MemberStatus;
  taskForceId: number | null;
  discipline: Discipline;
  mfaEnabledAt: number | null;
  noticeAcceptedAt: number | null;
}

/** Sessions as Lucia's guide builds them: a random token in the cookie, its SHA-256 in the table. */
export class SessionStore {
  private readonly findStmt: Statement<[string], SessionRow>;
  private readonly touchStmt: Statement<[number, string]>;
  private readonly touchMemberStmt: Statement<[number, number]>;
  private readonly deleteStmt: Statement<[string]>;

  constructor(private readonly deps: Pick<Deps, 'db' | 'config' | 'clock' | 'settings'>) {
    const sqlite = deps.db.$client;
    // Prepared once: session validation runs on every request.
    this.findStmt = sqlite.prepare(`
      SELECT s.id, s.member_id AS memberId, s.created_at AS createdAt, s.last_seen_at AS lastSeenAt,
             s.expires_at AS expiresAt, m.email, m.name, m.role, m.status, m.task_force_id AS taskForceId,
             m.discipline, m.mfa_enabled_at AS mfaEnabledAt, m.notice_accepted_at AS noticeAcceptedAt
      FROM sessions s JOIN members m ON m.id = s.member_id WHERE s.id = ?`);
    this.touchStmt = sqlite.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?');
    this.touchMemberStmt = sqlite.prepare('UPDATE members SET last_active_at = ? WHERE id = ?');
    this.deleteStmt = sqlite.prepare('DELETE FROM sessions WHERE id = ?');
  }

  /** Insert a session; returns the raw token for the cookie (never stored). */
  create(memberId: number, ip: string, userAgent: string): { token: string; id: string; expiresAt: number } {
    const token = generateToken();
    const id = hashToken(token);
    const now = this.deps.clock.now();
    const expiresAt = now + this.deps.config.sessionAbsoluteMs;
    this.deps.db.$client
      .prepare(
        'INSERT INTO sessions (id, member_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)'
      )
      .run(id, memberId, now, now, expiresAt, ip, userAgent.slice(0, 300));
    this.deps.db.$client.prepare('UPDATE members SET last_active_at = ? WHERE id = ?').run(now, memberId);
    return { token, id, expiresAt };
  }

  /** The actor for a cookie token, or null when unknown, idle too long, past 12 h, or the member may not sign in. */
  validate(token: string): Actor | null {
    if (!/^[a-z2-7]{32}$/.test(token)) return null;
    const id = hashToken(token);
    const row = this.findStmt.get(id);
    if (!row) return null;
    const now = this.deps.clock.now();
    if (now >= row.expiresAt || now >= row.lastSeenAt + this.deps.config.sessionIdleMs) {
      this.deleteStmt.run(id);
      return null;
    }
    if (row.status !== 'active' && row.status !== 'pending') {
      this.deleteStmt.run(id);
      return null;
    }
    // Write at most once a minute: each write is an fsync.
    if (now - row.lastSeenAt >= MINUTE) {
      this.touchStmt.run(now, id);
      this.touchMemberStmt.run(now, row.memberId);
    }
    // Demo mode (npm run demo, its own data dir) waives the MFA requirement so the fictional accounts sign in with a password.
    const requiresMfa = !this.deps.config.demo && roleRequiresMfa(row.role, this.deps.settings.get().requireMfaForAll);
    const onboarding = requiresMfa && !row.mfaEnabledAt ? 'mfa' : !row.noticeAcceptedAt ? 'notice' : null;
    return {
      id: row.memberId,
      email: row.email,
      name: row.name,
      role: row.role,
      status: row.status,
      taskForceId: row.taskForceId,
      discipline: row.discipline,
      onboarding,
      mfaEnabled: row.mfaEnabledAt !== null,
      sessionId: id
    };
  }
}

/** Ends every session of a member inside the caller's transaction; returns the ids for the event. */
export function revokeAllOf(tx: DbOrTx, memberId: number): string[] {
  const ids = tx
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.memberId, memberId))
    .all()
    .map((s) => s.id);
  tx.delete(sessions).where(eq(sessions.memberId, memberId)).run();
  return ids;
}
