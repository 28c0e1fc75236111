import type { EmailMode } from '../../../db/schema/index.ts';
import type { Deps } from '../../context.ts';
import { DAY, HOUR, MINUTE } from '../../shared/clock.ts';
import { memberCanReadCategory } from '../discussions/access.ts';
import { all, get, run } from '../discussions/sql.ts';
import { textOf, urlOf, type NotificationData } from './kinds.ts';

/** An e-mail goes out only if the notification is still unread this long after it was made. */
export const EMAIL_DELAY_MS = 10 * MINUTE;
/** Digests cover everything made before this hour (UTC): early morning across the United States. */
export const DIGEST_HOUR_UTC = 10;
const BATCH = 500;

interface PendingRow {
  id: number;
  memberId: number;
  kind: string;
  data: string;
  threadId: number | null;
  readAt: number | null;
  email: string;
  name: string;
  memberStatus: string;
  noticeAcceptedAt: number | null;
  /** The thread's category now (it may have moved), and whether it is private. */
  categoryId: number | null;
  isPrivate: number | null;
}

const PENDING = `SELECT n.id, n.member_id AS memberId, n.kind, n.data, n.thread_id AS threadId, n.read_at AS readAt,
    m.email, m.name, m.status AS memberStatus, m.notice_accepted_at AS noticeAcceptedAt,
    t.category_id AS categoryId, c.is_private AS isPrivate
  FROM notifications n JOIN members m ON m.id = n.member_id
    LEFT JOIN threads t ON t.id = n.thread_id LEFT JOIN categories c ON c.id = t.category_id
  WHERE n.email_state = 'pending' AND n.email_mode = @mode AND n.created_at <= @cutoff
  ORDER BY n.member_id, n.id LIMIT @limit`;

/** Still worth an e-mail, decided now: unread, the member active, and the thread still theirs to read. */
function deliverable(deps: Deps, row: PendingRow): boolean {
  if (row.readAt !== null || row.memberStatus !== 'active' || row.noticeAcceptedAt === null) return false;
  if (row.threadId === null) return true;
  return row.categoryId !== null && memberCanReadCategory(deps.db, row.memberId, row.categoryId);
}

/** One notification in words. A private category's e-mail carries the title only, never the post's text. */
function describe(deps: Deps, row: PendingRow): string {
  const data = JSON.parse(row.data) as NotificationData;
  const url = urlOf(row.kind, data);
  const lines = [textOf(row.kind, data) + '.'];
  if (row.isPrivate !== 1) {
    if (data.message) lines.push(`The moderator wrote: ${data.message}`);
    if (data.excerpt) lines.push(`> ${data.excerpt}`);
  }
  if (url) lines.push(`Open it: ${deps.config.publicOrigin}${url}`);
  return lines.join('\n\n');
}

function settle(deps: Deps, ids: number[], state: 'sent' | 'skipped'): void {
  if (ids.length === 0) return;
  run(
    deps.db,
    `UPDATE notifications SET email_state = @state WHERE id IN (SELECT value FROM json_each(@ids)) AND email_state = 'pending'`,
    { state, ids: JSON.stringify(ids) }
  );
}

function footer(deps: Deps, why: string): string {
  const site = deps.config.siteName;
  return `\n\n${why} Choose which e-mails you get: ${deps.config.publicOrigin}/account/notifications\n\n— ${site}, the community of the ECM anti-human-trafficking task forces.`;
}

/** The "e-mail immediately" choice: sent once a notification has stayed unread for EMAIL_DELAY_MS. */
export async function sendDelayedEmails(deps: Deps): Promise<{ sent: number; skipped: number }> {
  const rows = all<PendingRow>(deps.db, PENDING, {
    mode: 'immediate',
    cutoff: deps.clock.now() - EMAIL_DELAY_MS,
    limit: BATCH
  });
  let sent = 0;
  let skipped = 0;
  for (const row of rows) {
    if (!deliverable(deps, row)) {
      settle(deps, [row.id], 'skipped');
      skipped++;
      continue;
    }
    const subject = `${deps.config.siteName}: ${textOf(row.kind, JSON.parse(row.data) as NotificationData)}`;
    await deps.mailer.send({
      to: row.email,
      subject,
      text: `Hello ${row.name},\n\n${describe(deps, row)}${footer(deps, 'You get this e-mail because it was still unread after 10 minutes.')}`
    });
    settle(deps, [row.id], 'sent');
    sent++;
  }
  return { sent, skipped };
}

/** The latest digest boundary at or before `now`: today's (or this Monday's) DIGEST_HOUR_UTC. */
export function digestCutoff(now: number, period: Exclude<EmailMode, 'immediate'>): number {
  const day = Math.floor(now / DAY) * DAY;
  let cutoff = day + DIGEST_HOUR_UTC * HOUR;
  if (cutoff > now) cutoff -= DAY;
  if (period === 'weekly') {
    const weekday = (new Date(cutoff).getUTCDay() + 6) % 7; // Monday 0
    cutoff -= weekday * DAY;
  }
  return cutoff;
}

/** The spotlight members see on the home page now (the weekly summary leads with it). */
function currentSpotlight(deps: Deps): { id: number; title: string; summary: string } | undefined {
  return get<{ id: number; title: string; summary: string }>(
    deps.db,
    `SELECT id, title, summary FROM spotlights WHERE published_at IS NOT NULL AND deleted_at IS NULL AND publish_at <= @now
     ORDER BY publish_at DESC, id DESC LIMIT 1`,
    { now: deps.clock.now() }
  );
}

function spotlightLead(deps: Deps, spotlight: { id: number; title: string; summary: string }): string {
  const lines = [`This week’s spotlight: “${spotlight.title}”`];
  if (spotlight.summary) lines.push(spotlight.summary);
  lines.push(`Read it: ${deps.config.publicOrigin}/spotlights/${spotlight.id}`);
  return lines.join('\n\n');
}

/** The lead already tells of it: the spotlight's own notice is not listed again under it. */
function isLeadNotice(row: PendingRow, leadId: number | undefined): boolean {
  return (
    leadId !== undefined &&
    row.kind === 'spotlight_published' &&
    (JSON.parse(row.data) as NotificationData).spotlightId === leadId
  );
}

/**
 * One e-mail per member with their daily (or weekly) notifications made before the last boundary
 * and still unread; nothing is sent to a member with nothing to tell. Idempotent: run it hourly.
 */
export async function sendDigests(
  deps: Deps,
  period: Exclude<EmailMode, 'immediate'>
): Promise<{ sent: number; skipped: number }> {
  const cutoff = digestCutoff(deps.clock.now(), period) - 1;
  const rows = all<PendingRow>(deps.db, PENDING, { mode: period, cutoff, limit: BATCH * 10 });
  const lead = period === 'weekly' && rows.length > 0 ? currentSpotlight(deps) : undefined;
  const byMember = new Map<number, PendingRow[]>();
  for (const row of rows) byMember.set(row.memberId, [...(byMember.get(row.memberId) ?? []), row]);
  let sent = 0;
  let skipped = 0;
  for (const memberRows of byMember.values()) {
    const worth = memberRows.filter((row) => deliverable(deps, row));
    const stale = memberRows.filter((row) => !worth.includes(row)).map((r) => r.id);
    settle(deps, stale, 'skipped');
    skipped += stale.length;
    const first = worth[0];
    if (!first) continue;
    const listed = worth.filter((row) => !isLeadNotice(row, lead?.id));
    const what = listed.length === 1 ? '1 notification' : `${listed.length} notifications`;
    const items = listed.map((row) => describe(deps, row)).join('\n\n---\n\n');
    const opening = lead ? `${spotlightLead(deps, lead)}\n\n---\n\n` : '';
    const news =
      listed.length > 0
        ? `What happened since your last summary (${what} still unread):\n\n${items}`
        : 'Nothing else is waiting for you.';
    await deps.mailer.send({
      to: first.email,
      subject: `${deps.config.siteName}: your ${period} summary (${lead ? `“${lead.title}” and ` : ''}${what})`,
      text: `Hello ${first.name},\n\n${opening}${news}${footer(deps, `You get this ${period} summary because of your notification settings.`)}`
    });
    settle(
      deps,
      worth.map((r) => r.id),
      'sent'
    );
    sent++;
  }
  return { sent, skipped };
}

/** A slow SMTP server must not let two runs send the same e-mail. */
const running = new WeakSet<Deps>();

/** The scheduler's entry point (every minute): delayed e-mails, and digests once their boundary has passed. */
export async function runNotificationMailJob(deps: Deps) {
  if (running.has(deps)) return null;
  running.add(deps);
  try {
    const immediate = await sendDelayedEmails(deps);
    const daily = await sendDigests(deps, 'daily');
    const weekly = await sendDigests(deps, 'weekly');
    return { immediate, daily, weekly };
  } finally {
    running.delete(deps);
  }
}
