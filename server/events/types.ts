import type { Role } from '../../db/schema/index.ts';

/**
 * Every domain event, named entity.verb. Published after the transaction that caused it commits.
 * Raw tokens travel in memory to the mailer only; they are never stored or logged.
 */
export type DomainEvent =
  | { type: 'membership.requested'; requestId: number; email: string; fullName: string; confirmToken: string }
  | {
      type: 'membership.submitted';
      requestId: number;
      email: string;
      fullName: string;
      statusToken: string;
      taskForceId: number | null;
    }
  | {
      type: 'membership.info_requested';
      requestId: number;
      email: string;
      fullName: string;
      message: string;
      statusToken: string;
    }
  | { type: 'membership.applicant_responded'; requestId: number; taskForceId: number | null }
  | {
      type: 'membership.decided';
      requestId: number;
      email: string;
      fullName: string;
      decision: 'approved' | 'declined';
      reason: string | null;
      statusToken: string;
      activationToken: string | null;
      memberId: number | null;
    }
  | { type: 'member.activated'; memberId: number }
  | { type: 'member.password_reset_requested'; memberId: number; email: string; name: string; token: string }
  | { type: 'member.password_changed'; memberId: number; email: string; name: string }
  | {
      type: 'member.access_expiring';
      memberId: number;
      email: string;
      name: string;
      endsAt: number;
      daysLeft: number;
      coordinatorEmails: string[];
    }
  | { type: 'member.access_ended'; memberId: number; email: string; name: string; reason: 'expired' | 'disabled' }
  | { type: 'member.suspended'; memberId: number }
  | { type: 'member.reinstated'; memberId: number }
  | { type: 'member.role_changed'; memberId: number; from: Role; to: Role }
  | { type: 'session.revoked'; memberId: number; sessionIds: string[] };

export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
