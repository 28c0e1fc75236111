import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import {
  members,
  membershipRequestMessages,
  membershipRequests,
  taskForces,
  tokens,
  type Discipline,
  type RequestStatus
} from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can, reviewScope } from '../../policies/index.ts';
import { DAY, HOUR } from '../../shared/clock.ts';
import { Conflict, Gone, Invalid, NotFound, TooManyRequests } from '../../shared/errors.ts';
import { generateToken, hashToken } from '../../shared/tokens.ts';
import { recordAudit } from '../audit/record.ts';

const CONFIRM_MS = 2 * DAY;
const ACTIVATION_MS = 3 * DAY;
export const OPEN_STATUSES: RequestStatus[] = ['submitted', 'in_review', 'info_requested'];

export interface MembershipRequestInput {
  fullName: string;
  email: string;
  agency: string;
  jobTitle: string;
  discipline: Discipline;
  taskForceId: number | null;
  supervisorName: string;
  supervisorContact: string;
  reason: string;
}

type Request = typeof membershipRequests.$inferSelect;

export const REQUEST_RECEIVED =
  'Thank you. Check your e-mail: confirm your address with the link we sent (it works for 48 hours), and your request goes to the reviewers.';

/** Anyone may ask to join; nothing happens until the address is confirmed. Same answer in every case. */
export function requestMembership(ctx: Ctx, input: MembershipRequestInput): void {
  const now = ctx.clock.now();
  const wait = ctx.limiter.hit(`membership-request:ip:${ctx.ip}`, [{ limit: 5, windowMs: HOUR }], now);
  if (wait > 0)
    throw new TooManyRequests(`Too many requests from this network. Try again in ${Math.ceil(wait / 60)} minutes.`, wait);
  const email = input.email.trim().toLowerCase();
  if (
    input.taskForceId !== null &&
    !ctx.db.select({ id: taskForces.id }).from(taskForces).where(eq(taskForces.id, input.taskForceId)).get()
  ) {
    throw new Invalid('Choose a task force from the list, or "My task force is not listed".', {
      taskForceId: 'Choose a task force from the list.'
    });
  }
  if (ctx.db.select({ id: members.id }).from(members).where(eq(members.email, email)).get()) return;
  const open = ctx.db
    .select({ id: membershipRequests.id })
    .from(membershipRequests)
    .where(and(eq(membershipRequests.email, email), inArray(membershipRequests.status, OPEN_STATUSES)))
    .get();
  if (open) return;
  const domain = email.split('@')[1] ?? '';
  const knownAgency = ctx.settings.get().knownAgencyDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
  const statusToken = generateToken();
  const confirmToken = generateToken();
  const requestId = ctx.db.transaction((tx) => {
    // A second attempt before confirming replaces the first.
    tx.delete(membershipRequests)
      .where(and(eq(membershipRequests.email, email), eq(membershipRequests.status, 'unconfirmed')))
      .run();
    const created = tx
      .insert(membershipRequests)
      .values({
        ...input,
        email,
        fullName: input.fullName.trim(),
        knownAgency,
        statusTokenHash: hashToken(statusToken),
        statusTokenSealed: ctx.box.seal(new TextEncoder().encode(statusToken)),
        createdAt: now,
        updatedAt: now
      })
      .returning({ id: membershipRequests.id })
      .get();
    tx.insert(tokens)
      .values({
        id: hashToken(confirmToken),
        purpose: 'email_confirm',
        requestId: created.id,
        expiresAt: now + CONFIRM_MS,
        createdAt: now
      })
      .run();
    return created.id;
  });
  ctx.bus.publish({ type: 'membership.requested', requestId, email, fullName: input.fullName.trim(), confirmToken });
}

function statusTokenOf(ctx: Ctx, request: Request): string {
  return new TextDecoder().decode(ctx.box.open(request.statusTokenSealed));
}

/** The e-mail link: the request enters the review queue. Returns the status-page token. */
export function confirmEmail(ctx: Ctx, token: string): { statusToken: string } {
  const now = ctx.clock.now();
  const row = ctx.db
    .select()
    .from(tokens)
    .where(and(eq(tokens.id, hashToken(token)), eq(tokens.purpose, 'email_confirm')))
    .get();
  if (!row || row.usedAt !== null || row.expiresAt <= now || row.requestId === null) {
    throw new Gone('This confirmation link has expired or was already used. Please send your request again.');
  }
  const request = ctx.db.select().from(membershipRequests).where(eq(membershipRequests.id, row.requestId)).get();
  if (!request) throw new Gone('This request no longer exists. Please send it again.');
  const statusToken = statusTokenOf(ctx, request);
  ctx.db.transaction((tx) => {
    tx.update(tokens).set({ usedAt: now }).where(eq(tokens.id, row.id)).run();
    tx.update(membershipRequests)
      .set({ status: 'submitted', confirmedAt: now, updatedAt: now })
      .where(and(eq(membershipRequests.id, request.id), eq(membershipRequests.status, 'unconfirmed')))
      .run();
  });
  ctx.bus.publish({
    type: 'membership.submitted',
    requestId: request.id,
    email: request.email,
    fullName: request.fullName,
    statusToken,
    taskForceId: request.taskForceId
  });
  return { statusToken };
}

function byStatusToken(ctx: Ctx, token: string): Request {
  const request = ctx.db
    .select()
    .from(membershipRequests)
    .where(eq(membershipRequests.statusTokenHash, hashToken(token)))
    .get();
  if (!request || request.status === 'unconfirmed')
    throw new NotFound('No request matches this link. Check that you copied the whole link from the e-mail.');
  return request;
}

function messagesOf(ctx: Ctx, requestId: number) {
  return ctx.db
    .select({
      author: membershipRequestMessages.author,
      body: membershipRequestMessages.body,
      createdAt: membershipRequestMessages.createdAt
    })
    .from(membershipRequestMessages)
    .where(eq(membershipRequestMessages.requestId, requestId))
    .orderBy(asc(membershipRequestMessages.id))
    .all();
}

function taskForceName(ctx: Ctx, id: number | null): string | null {
  if (id === null) return null;
  return ctx.db.select({ name: taskForces.name }).from(taskForces).where(eq(taskForces.id, id)).get()?.name ?? null;
}

/** What the applicant sees at their status link. */
export function requestStatus(ctx: Ctx, token: string) {
  const r = byStatusToken(ctx, token);
  return {
    status: r.status,
    fullName: r.fullName,
    email: r.email,
    taskForceName: taskForceName(ctx, r.taskForceId),
    submittedAt: r.confirmedAt,
    decidedAt: r.decidedAt,
    declineReason: r.status === 'declined' ? r.declineReason : null,
    messages: messagesOf(ctx, r.id)
  };
}

/** The applicant answers a request for more information; the request goes back to review. */
export function respondToRequest(ctx: Ctx, token: string, message: string): void {
  const r = byStatusToken(ctx, token);
  if (r.status !== 'info_requested') throw new Conflict('Your request is not waiting for an answer from you.');
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    tx.insert(membershipRequestMessages)
      .values({ requestId: r.id, author: 'applicant', body: message.trim(), createdAt: now })
      .run();
    tx.update(membershipRequests).set({ status: 'in_review', updatedAt: now }).where(eq(membershipRequests.id, r.id)).run();
  });
  ctx.bus.publish({ type: 'membership.applicant_responded', requestId: r.id, taskForceId: r.taskForceId });
}

/** Coordinators see only requests naming their own task force. */
function scopeFor(ctx: Ctx) {
  authorize(ctx.actor, 'membership.review');
  const taskForceId = reviewScope(ctx.actor);
  return taskForceId === null ? undefined : eq(membershipRequests.taskForceId, taskForceId);
}

export function pendingCount(ctx: Ctx): number {
  if (!can(ctx.actor, 'membership.review')) return 0;
  const scope = scopeFor(ctx);
  return (
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(membershipRequests)
      .where(and(inArray(membershipRequests.status, OPEN_STATUSES), scope))
      .get()?.n ?? 0
  );
}

/** The queue, oldest first, keyset-paged by (confirmedAt, id). */
export function listRequests(ctx: Ctx, query: { view?: 'open' | 'decided'; after?: string; limit?: number }) {
  const scope = scopeFor(ctx);
  const limit = query.limit ?? 25;
  const statuses: RequestStatus[] = query.view === 'decided' ? ['approved', 'declined'] : OPEN_STATUSES;
  let cursor;
  if (query.after) {
    const [at, id] = query.after.split('.').map(Number);
    if (!Number.isFinite(at) || !Number.isFinite(id)) throw new Invalid('The page link is not valid.');
    cursor = or(
      gt(membershipRequests.confirmedAt, at!),
      and(eq(membershipRequests.confirmedAt, at!), gt(membershipRequests.id, id!))
    );
  }
  const rows = ctx.db
    .select({
      id: membershipRequests.id,
      fullName: membershipRequests.fullName,
      email: membershipRequests.email,
      agency: membershipRequests.agency,
      jobTitle: membershipRequests.jobTitle,
      discipline: membershipRequests.discipline,
      taskForceId: membershipRequests.taskForceId,
      taskForceName: taskForces.name,
      status: membershipRequests.status,
      knownAgency: membershipRequests.knownAgency,
      submittedAt: membershipRequests.confirmedAt
    })
    .from(membershipRequests)
    .leftJoin(taskForces, eq(taskForces.id, membershipRequests.taskForceId))
    .where(and(inArray(membershipRequests.status, statuses), scope, cursor))
    .orderBy(asc(membershipRequests.confirmedAt), asc(membershipRequests.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { requests: page, next: rows.length > limit && last ? `${last.submittedAt}.${last.id}` : null };
}

function loadForDecision(ctx: Ctx, id: number): Request {
  const r = ctx.db.select().from(membershipRequests).where(eq(membershipRequests.id, id)).get();
  if (!r || r.status === 'unconfirmed') throw new NotFound('That membership request was not found.');
  authorize(ctx.actor, 'membershipRequest.decide', r);
  return r;
}

export function getRequest(ctx: Ctx, id: number) {
  const r = loadForDecision(ctx, id);
  const { statusTokenHash: _h, statusTokenSealed: _s, ...visible } = r;
  return { ...visible, taskForceName: taskForceName(ctx, r.taskForceId), messages: messagesOf(ctx, r.id) };
}

function requireOpen(r: Request): void {
  if (!OPEN_STATUSES.includes(r.status)) throw new Conflict(`This request was already ${r.status}.`);
}

export function markInReview(ctx: Ctx, id: number): void {
  const r = loadForDecision(ctx, id);
  if (r.status !== 'submitted') throw new Conflict('Only a newly submitted request can be taken into review.');
  ctx.db.transaction((tx) => {
    tx.update(membershipRequests)
      .set({ status: 'in_review', updatedAt: ctx.clock.now() })
      .where(eq(membershipRequests.id, id))
      .run();
    recordAudit(tx, ctx, { action: 'membership.in_review', targetType: 'membership_request', targetId: id });
  });
}

export function requestInformation(ctx: Ctx, id: number, message: string): void {
  const r = loadForDecision(ctx, id);
  requireOpen(r);
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    tx.insert(membershipRequestMessages)
      .values({ requestId: id, author: 'reviewer', authorMemberId: ctx.actor!.id, body: message.trim(), createdAt: now })
      .run();
    tx.update(membershipRequests).set({ status: 'info_requested', updatedAt: now }).where(eq(membershipRequests.id, id)).run();
    recordAudit(tx, ctx, { action: 'membership.info_requested', targetType: 'membership_request', targetId: id });
  });
  ctx.bus.publish({
    type: 'membership.info_requested',
    requestId: id,
    email: r.email,
    fullName: r.fullName,
    message: message.trim(),
    statusToken: statusTokenOf(ctx, r)
  });
}

export function declineRequest(ctx: Ctx, id: number, reason: string): void {
  const r = loadForDecision(ctx, id);
  requireOpen(r);
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    tx.update(membershipRequests)
      .set({ status: 'declined', declineReason: reason.trim(), decidedBy: ctx.actor!.id, decidedAt: now, updatedAt: now })
      .where(eq(membershipRequests.id, id))
      .run();
    recordAudit(tx, ctx, {
      action: 'membership.declined',
      targetType: 'membership_request',
      targetId: id,
      detail: { email: r.email }
    });
  });
  ctx.bus.publish({
    type: 'membership.decided',
    requestId: id,
    email: r.email,
    fullName: r.fullName,
    decision: 'declined',
    reason: reason.trim(),
    statusToken: statusTokenOf(ctx, r),
    activationToken: null,
    memberId: null
  });
}

/** Approval creates the (pending) member and a single-use activation link (72 h). */
export function approveRequest(ctx: Ctx, id: number): { memberId: number } {
  const r = loadForDecision(ctx, id);
  requireOpen(r);
  const now = ctx.clock.now();
  const activationToken = generateToken();
  const memberId = ctx.db.transaction((tx) => {
    if (tx.select({ id: members.id }).from(members).where(eq(members.email, r.email)).get()) {
      throw new Conflict('A member with this e-mail address already exists.');
    }
    const created = tx
      .insert(members)
      .values({
        email: r.email,
        name: r.fullName,
        agency: r.agency,
        jobTitle: r.jobTitle,
        discipline: r.discipline,
        taskForceId: r.taskForceId,
        role: 'member',
        status: 'pending',
        createdAt: now,
        updatedAt: now
      })
      .returning({ id: members.id })
      .get();
    tx.update(membershipRequests)
      .set({ status: 'approved', decidedBy: ctx.actor!.id, decidedAt: now, memberId: created.id, updatedAt: now })
      .where(and(eq(membershipRequests.id, id), inArray(membershipRequests.status, OPEN_STATUSES)))
      .run();
    tx.insert(tokens)
      .values({
        id: hashToken(activationToken),
        purpose: 'activation',
        memberId: created.id,
        expiresAt: now + ACTIVATION_MS,
        createdAt: now
      })
      .run();
    recordAudit(tx, ctx, {
      action: 'membership.approved',
      targetType: 'membership_request',
      targetId: id,
      detail: { email: r.email, memberId: created.id }
    });
    return created.id;
  });
  ctx.bus.publish({
    type: 'membership.decided',
    requestId: id,
    email: r.email,
    fullName: r.fullName,
    decision: 'approved',
    reason: null,
    statusToken: statusTokenOf(ctx, r),
    activationToken,
    memberId
  });
  return { memberId };
}
