import type { Discipline, MemberStatus, Role } from '../../../db/schema/index.ts';
import type { Deps } from '../../context.ts';
import { roleRequiresMfa, type Actor } from '../../policies/index.ts';
import { all, get, idList } from '../discussions/sql.ts';

/**
 * Members as the policies see them, read fresh from the database, for work done outside a request
 * (subscribers, the realtime hub, mail jobs): audiences are decided by the same rules as HTTP, on
 * the member's state now, not on what it was when a socket opened.
 *
 * The onboarding rule mirrors SessionStore.validate (server/modules/auth/sessions.ts); it is repeated
 * here because that one takes the raw cookie token and touches last_seen_at, which a push must not.
 */
interface MemberRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  status: MemberStatus;
  taskForceId: number | null;
  discipline: Discipline;
  mfaEnabledAt: number | null;
  noticeAcceptedAt: number | null;
}

const MEMBER_COLUMNS = `m.id, m.email, m.name, m.role, m.status, m.task_force_id AS taskForceId, m.discipline,
  m.mfa_enabled_at AS mfaEnabledAt, m.notice_accepted_at AS noticeAcceptedAt`;

type ActorDeps = Pick<Deps, 'db' | 'config' | 'settings' | 'clock'>;

function toActor(deps: ActorDeps, row: MemberRow, sessionId: string): Actor {
  const requiresMfa = !deps.config.demo && roleRequiresMfa(row.role, deps.settings.get().requireMfaForAll);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    taskForceId: row.taskForceId,
    discipline: row.discipline,
    onboarding: requiresMfa && !row.mfaEnabledAt ? 'mfa' : !row.noticeAcceptedAt ? 'notice' : null,
    mfaEnabled: row.mfaEnabledAt !== null,
    sessionId
  };
}

/** The actors behind these member ids (any status: the policies decide what each may do). */
export function memberActors(deps: ActorDeps, ids: readonly number[]): Actor[] {
  if (ids.length === 0) return [];
  return all<MemberRow>(deps.db, `SELECT ${MEMBER_COLUMNS} FROM members m WHERE m.id IN (SELECT value FROM json_each(@ids))`, {
    ids: idList(ids)
  }).map((row) => toActor(deps, row, ''));
}

/**
 * The actor of a live session, or null once it has ended: signed out, revoked, idle or past its
 * absolute limit, or the member no longer active. Read-only: an open socket does not keep a session alive.
 */
export function sessionActor(deps: ActorDeps, sessionId: string): Actor | null {
  const row = get<MemberRow & { expiresAt: number; lastSeenAt: number }>(
    deps.db,
    `SELECT ${MEMBER_COLUMNS}, s.expires_at AS expiresAt, s.last_seen_at AS lastSeenAt
     FROM sessions s JOIN members m ON m.id = s.member_id WHERE s.id = @sessionId`,
    { sessionId }
  );
  if (!row) return null;
  const now = deps.clock.now();
  if (now >= row.expiresAt || now >= row.lastSeenAt + deps.config.sessionIdleMs) return null;
  return toActor(deps, row, sessionId);
}
