import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { publishDue } from '../../server/modules/spotlights/publish.ts';
import { sendDigests } from '../../server/modules/notifications/mail.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { DAY, HOUR, MINUTE } from '../../server/shared/clock.ts';
import type { DomainEvent } from '../../server/events/types.ts';
import { call, ORIGIN, TEST_SECRET_KEY, type TestApp } from '../support/app.ts';
import { sessionCookie } from '../support/factories.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import {
  create,
  decide,
  memberSpotlight,
  notificationsOf,
  practiceSpotlight,
  runJob,
  spotlightApp,
  spotlightWorld,
  THIS_WEEK,
  THIS_WEEK_PUBLISH,
  type SpotlightWorld
} from '../support/spotlights.ts';

let t: TestApp;
let w: SpotlightWorld;
let events: DomainEvent[];
beforeEach(async () => {
  t = await spotlightApp();
  w = await spotlightWorld(t);
  events = [];
  t.deps.bus.on('spotlight.published', (e) => void events.push(e));
});
afterEach(async () => {
  await t.close();
});

/** Move the clock and sign everyone in again (sessions idle out after 30 minutes). */
function at(ms: number) {
  t.clock.current = ms;
  for (const m of Object.values(w)) if (typeof m === 'object') (m as Signed).cookie = sessionCookie(t, (m as Signed).id);
}
const spotlightRow = (id: number) =>
  t.db.$client
    .prepare('SELECT published_at AS publishedAt, thread_id AS threadId, category_id AS categoryId FROM spotlights WHERE id = ?')
    .get(id) as { publishedAt: number | null; threadId: number | null; categoryId: number | null };
const count = (sql: string, ...args: unknown[]) => (t.db.$client.prepare(sql).get(...args) as { n: number }).n;
const current = async (who: Signed) =>
  (await call(t.app, 'GET', '/api/spotlights/current', { cookie: who.cookie })).json().spotlight;

describe('the publish job, by the clock', () => {
  it('before the minute nothing; at the minute it publishes, once: thread, search, every member told', async () => {
    const s = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK }));
    at(THIS_WEEK_PUBLISH - 1);
    expect(await runJob(t)).toEqual({ published: [], waiting: [] });
    expect(await current(w.reader)).toBeNull();
    at(THIS_WEEK_PUBLISH);
    expect(await runJob(t)).toEqual({ published: [s.id], waiting: [] });
    const row = spotlightRow(s.id);
    expect(row.publishedAt).toBe(THIS_WEEK_PUBLISH);
    expect(
      count(
        `SELECT count(*) AS n FROM categories WHERE id = ? AND attached_kind = 'spotlights' AND is_private = 0`,
        row.categoryId
      )
    ).toBe(1);
    expect(count('SELECT count(*) AS n FROM threads WHERE id = ? AND title = ?', row.threadId, s.title)).toBe(1);
    expect(count('SELECT count(*) AS n FROM spotlight_search WHERE rowid = ?', s.id)).toBe(1);
    const active = count(`SELECT count(*) AS n FROM members WHERE status = 'active'`);
    expect(count(`SELECT count(*) AS n FROM notifications WHERE kind = 'spotlight_published'`)).toBe(active);
    expect(notificationsOf(t, w.reader.id, 'spotlight_published')).toEqual([
      expect.objectContaining({ emailMode: null, data: expect.objectContaining({ spotlightId: s.id, spotlightTitle: s.title }) })
    ]);
    expect(events).toEqual([{ type: 'spotlight.published', spotlightId: s.id, threadId: row.threadId, title: s.title }]);
    const bell = await call(t.app, 'GET', '/api/notifications', { cookie: w.reader.cookie });
    expect(bell.json().notifications[0]).toMatchObject({
      kind: 'spotlight_published',
      text: `This week’s spotlight: “${s.title}”`,
      url: `/spotlights/${s.id}`
    });
    // Again, and again later: nothing more.
    expect(await runJob(t)).toEqual({ published: [], waiting: [] });
    at(THIS_WEEK_PUBLISH + HOUR);
    expect(await runJob(t)).toEqual({ published: [], waiting: [] });
    expect(count(`SELECT count(*) AS n FROM notifications WHERE kind = 'spotlight_published'`)).toBe(active);
    expect(count(`SELECT count(*) AS n FROM audit_log WHERE action = 'spotlight.published'`)).toBe(1);
    expect(events).toHaveLength(1);
  });

  it('a restart never skips or doubles: a fresh app on the same database publishes what was due while it was down', async () => {
    const s = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK }));
    // Down over the publish moment: the new process's first run (at start) publishes it.
    const later = THIS_WEEK_PUBLISH + 3 * HOUR;
    t.clock.current = later;
    const second = await buildApp({
      db: t.db,
      config: t.config,
      clock: t.clock,
      secretKey: TEST_SECRET_KEY,
      mailer: new OutboxMailer(t.db, t.clock, () => {})
    });
    try {
      expect((await publishDue(second.deps)).published).toEqual([s.id]);
      // Both processes run their job again: nothing doubles.
      expect((await publishDue(second.deps)).published).toEqual([]);
      expect((await publishDue(t.deps)).published).toEqual([]);
      await second.deps.bus.idle();
    } finally {
      await second.close();
    }
    expect(spotlightRow(s.id).publishedAt).toBe(later);
    expect(
      count(`SELECT count(*) AS n FROM notifications WHERE member_id = ? AND kind = 'spotlight_published'`, w.reader.id)
    ).toBe(1);
    expect(count('SELECT count(*) AS n FROM threads WHERE title = ?', s.title)).toBe(1);
  });

  it('due without approval: waits, the author is told once (also across a restart), then publishes on a late approval', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id, { week: THIS_WEEK }));
    at(THIS_WEEK_PUBLISH + MINUTE);
    expect(await runJob(t)).toEqual({ published: [], waiting: [s.id] });
    expect(await runJob(t)).toEqual({ published: [], waiting: [s.id] });
    const second = await buildApp({
      db: t.db,
      config: t.config,
      clock: t.clock,
      secretKey: TEST_SECRET_KEY,
      mailer: new OutboxMailer(t.db, t.clock, () => {})
    });
    await publishDue(second.deps);
    await second.close();
    const told = notificationsOf(t, w.editor.id, 'spotlight_consent_decided');
    expect(told).toHaveLength(1);
    expect(told[0]!.data).toMatchObject({ spotlightId: s.id, waiting: true });
    const bell = await call(t.app, 'GET', '/api/notifications', { cookie: w.editor.cookie });
    expect(bell.json().notifications[0].text).toBe(`The spotlight “${s.title}” is due but still waiting for approval`);
    expect((await call(t.app, 'GET', `/api/spotlights/${s.id}`, { cookie: w.editor.cookie })).json().status).toBe('waiting');
    // Wednesday: approved; it runs then (right after the approval, no need to wait for the job).
    at(THIS_WEEK_PUBLISH + 2 * DAY);
    await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    expect(spotlightRow(s.id).publishedAt).toBe(THIS_WEEK_PUBLISH + 2 * DAY);
    expect((await current(w.reader)).id).toBe(s.id);
  });

  it('after its week it is missed: never published, shown to editors as missed, and can go into a later week', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id, { week: THIS_WEEK }));
    at(THIS_WEEK_PUBLISH + 7 * DAY);
    await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    expect(await runJob(t)).toEqual({ published: [], waiting: [] });
    expect(spotlightRow(s.id).publishedAt).toBeNull();
    const view = (await call(t.app, 'GET', `/api/spotlights/${s.id}`, { cookie: w.editor.cookie })).json();
    expect(view.status).toBe('missed');
    const calendar = (await call(t.app, 'GET', '/api/spotlights/calendar', { cookie: w.editor.cookie })).json();
    expect(calendar.drafts.map((d: { id: number; status: string }) => [d.id, d.status])).toEqual([[s.id, 'missed']]);
    // One minute before the slot's end it would still have gone out.
    const moved = await call(t.app, 'POST', `/api/spotlights/${s.id}/schedule`, {
      cookie: w.editor.cookie,
      body: { week: '2026-01-19' }
    });
    expect(moved.json()).toMatchObject({ week: '2026-01-19', status: 'scheduled' });
    at(Date.UTC(2026, 0, 19, 14));
    expect((await runJob(t)).published).toEqual([s.id]);
  });

  it('publishes across the daylight-saving change at 09:00 New York (13:00 UTC on 2026-03-09)', async () => {
    at(Date.UTC(2026, 2, 2, 12));
    const s = await create(t, w.editor, practiceSpotlight({ week: '2026-03-09' }));
    at(Date.UTC(2026, 2, 9, 13) - 1);
    expect((await runJob(t)).published).toEqual([]);
    at(Date.UTC(2026, 2, 9, 13));
    expect((await runJob(t)).published).toEqual([s.id]);
  });

  it('a withdrawn spotlight is never published; withdrawing a published one takes it off the home page and the archive', async () => {
    const gone = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK }));
    await call(t.app, 'POST', `/api/spotlights/${gone.id}/delete`, { cookie: w.editor.cookie });
    at(THIS_WEEK_PUBLISH);
    expect((await runJob(t)).published).toEqual([]);
    const s = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK, title: 'Replacement promising practice' }));
    expect((await runJob(t)).published).toEqual([s.id]);
    expect((await current(w.reader)).id).toBe(s.id);
    await call(t.app, 'POST', `/api/spotlights/${s.id}/delete`, { cookie: w.editor.cookie });
    expect(await current(w.reader)).toBeNull();
    expect((await call(t.app, 'GET', '/api/spotlights', { cookie: w.reader.cookie })).json().spotlights).toEqual([]);
    expect((await call(t.app, 'GET', `/api/spotlights/${s.id}`, { cookie: w.reader.cookie })).statusCode).toBe(404);
    expect(count('SELECT count(*) AS n FROM spotlight_search')).toBe(0);
  });

  it('fans out to 10,000 members in one statement, within a second or two', async () => {
    t.db.$client
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO members (email, name, status, notice_accepted_at, created_at, updated_at)
         SELECT 'bulk' || i || '@agency.example.gov', 'Bulk Member ' || i, 'active', 1, 1, 1 FROM n`
      )
      .run();
    t.db.$client
      .prepare(
        `INSERT INTO notification_preferences (member_id, kind, email, updated_at) VALUES (?, 'spotlight_published', 'immediate', 1)`
      )
      .run(w.reader.id);
    const s = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK }));
    at(THIS_WEEK_PUBLISH);
    const started = performance.now();
    expect((await publishDue(t.deps)).published).toEqual([s.id]);
    const took = performance.now() - started;
    await t.deps.bus.idle();
    const active = count(`SELECT count(*) AS n FROM members WHERE status = 'active'`);
    expect(active).toBeGreaterThan(10_000);
    expect(count(`SELECT count(*) AS n FROM notifications WHERE kind = 'spotlight_published'`)).toBe(active);
    // The member's own e-mail choice is honoured; everyone else gets the default (off: the weekly digest carries it).
    expect(notificationsOf(t, w.reader.id, 'spotlight_published')[0]!.emailMode).toBe('immediate');
    expect(count(`SELECT count(*) AS n FROM notifications WHERE kind = 'spotlight_published' AND email_mode IS NOT NULL`)).toBe(
      1
    );
    expect(took).toBeLessThan(5_000);
  });
});

describe('reading: the home page and the archive', () => {
  async function publishWeeks(): Promise<number[]> {
    const ids: number[] = [];
    const weeks = ['2026-01-05', '2026-01-12', '2026-01-19'];
    const titles = [
      'Interviewing survivors with an advocate',
      'Labor trafficking in agriculture',
      'A shelter partnership that works'
    ];
    for (const [i, week] of weeks.entries()) {
      const s = await create(t, w.editor, {
        ...practiceSpotlight({ title: titles[i], summary: `Summary ${i}`, body: `Body of week ${i}: collaboration.` }),
        ...(i === 1 ? { kind: 'partner', partnerName: 'Harvest Rights', partnerUrl: 'https://harvest.example.org' } : {}),
        week
      });
      ids.push(s.id);
    }
    for (const week of weeks) {
      at(Date.parse(`${week}T14:00:00Z`));
      await runJob(t);
    }
    return ids;
  }

  it('current is the newest published; the archive lists published ones newest week first, in keyset pages', async () => {
    const draft = await create(t, w.editor, practiceSpotlight({ title: 'Unpublished draft about interviewing' }));
    const ids = await publishWeeks();
    expect((await current(w.reader)).id).toBe(ids[2]);
    const page1 = (await call(t.app, 'GET', '/api/spotlights?limit=2', { cookie: w.reader.cookie })).json();
    expect(page1.spotlights.map((s: { id: number }) => s.id)).toEqual([ids[2], ids[1]]);
    expect(page1.spotlights[0]).toMatchObject({ status: 'published', week: '2026-01-19', kindLabel: 'Promising practice' });
    const page2 = (await call(t.app, 'GET', `/api/spotlights?limit=2&after=${page1.next}`, { cookie: w.reader.cookie })).json();
    expect(page2).toEqual({ spotlights: [expect.objectContaining({ id: ids[0] })], next: null });
    const partners = (await call(t.app, 'GET', '/api/spotlights?kind=partner', { cookie: w.reader.cookie })).json();
    expect(partners.spotlights.map((s: { id: number }) => s.id)).toEqual([ids[1]]);
    expect(JSON.stringify(page1) + JSON.stringify(page2)).not.toContain(String(draft.title));
  });

  it('searches title, summary and body with a prefix on the last word; drafts never match', async () => {
    await create(t, w.editor, practiceSpotlight({ title: 'Unpublished draft about interviewing' }));
    const ids = await publishWeeks();
    const search = async (q: string) =>
      (await call(t.app, 'GET', `/api/spotlights?q=${encodeURIComponent(q)}`, { cookie: w.reader.cookie })).json().spotlights as {
        id: number;
        snippetHtml: string;
      }[];
    const hits = await search('interv');
    expect(hits.map((s) => s.id)).toEqual([ids[0]]);
    expect((await search('agricu')).map((s) => s.id)).toEqual([ids[1]]);
    expect((await search('collaboration')).map((s) => s.id)).toEqual([...ids].reverse());
    expect((await search('collaboration'))[0]!.snippetHtml).toContain('<mark>collaboration</mark>');
    expect(await search('draft')).toEqual([]);
    const empty = await call(t.app, 'GET', '/api/spotlights?q=%22%22', { cookie: w.reader.cookie });
    expect(empty.statusCode).toBe(400);
    expect((await call(t.app, 'GET', '/api/spotlights?after=nonsense', { cookie: w.reader.cookie })).statusCode).toBe(400);
  });

  it('a published spotlight: any active member reads it and comments in its thread; featured name per profile visibility', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id, { week: THIS_WEEK }));
    await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    at(THIS_WEEK_PUBLISH);
    await runJob(t);
    t.db.$client
      .prepare(
        `INSERT INTO member_profiles (member_id, name_visibility, updated_at) VALUES (?, 'staff', 1)
                ON CONFLICT (member_id) DO UPDATE SET name_visibility = 'staff'`
      )
      .run(w.featured.id);
    const seen = (await call(t.app, 'GET', `/api/spotlights/${s.id}`, { cookie: w.reader.cookie })).json();
    expect(seen).toMatchObject({ status: 'published', body: '', featured: { member: { id: w.featured.id } } });
    expect(seen.featured.member.displayName).not.toContain('Fran');
    expect(JSON.stringify(seen)).not.toContain('Fran Featured');
    expect(seen.consent).toMatchObject({ deciders: [], history: [] });
    const staff = (await call(t.app, 'GET', `/api/spotlights/${s.id}`, { cookie: w.editor.cookie })).json();
    expect(staff.featured.member.displayName).toBe('Fran Featured');
    const comment = await call(t.app, 'POST', `/api/discussions/threads/${seen.threadId}/posts`, {
      cookie: w.reader.cookie,
      body: { body: 'Great work, thank you for sharing.' }
    });
    expect(comment.statusCode, comment.body).toBe(201);
    const pending = await signedMember(t, { status: 'pending' });
    expect((await call(t.app, 'GET', `/api/spotlights/${s.id}`, { cookie: pending.cookie })).statusCode).toBe(403);
  });
});

describe('the weekly digest leads with the current spotlight', () => {
  it('title, summary and link first; its own notice is not listed again', async () => {
    const s = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK }));
    await call(t.app, 'PUT', '/api/notifications/preferences', {
      cookie: w.reader.cookie,
      body: { preferences: { spotlight_published: 'weekly', resource_shared: 'weekly' } }
    });
    at(THIS_WEEK_PUBLISH);
    await runJob(t);
    // Another weekly item for the reader: a broken-link style notice is not needed, a second spotlight notice is.
    t.db.$client
      .prepare(
        `INSERT INTO notifications (member_id, kind, data, created_at, email_mode, email_state)
         VALUES (?, 'resource_shared', '{"resourceId":1,"resourceTitle":"Interview checklist","actor":{"id":1,"name":"Ada"}}', ?, 'weekly', 'pending')`
      )
      .run(w.reader.id, THIS_WEEK_PUBLISH);
    at(Date.UTC(2026, 0, 12, 10, 5));
    expect((await sendDigests(t.deps, 'weekly')).sent).toBe(1);
    const mail = t.mails().find((m) => m.to === w.reader.email && m.subject.includes('weekly summary'))!;
    expect(mail.text.indexOf(`This week’s spotlight: “${s.title}”`)).toBeGreaterThan(0);
    expect(mail.text).toContain(`Read it: ${ORIGIN}/spotlights/${s.id}`);
    expect(mail.text).toContain('How two task forces share one trauma-informed interview room.');
    expect(mail.text.indexOf('This week’s spotlight')).toBeLessThan(mail.text.indexOf('Interview checklist'));
    expect(mail.text.split(String(s.title))).toHaveLength(2);
    expect(mail.text).toContain('1 notification still unread');
  });

  it('without a published spotlight the digest is as before', async () => {
    await call(t.app, 'PUT', '/api/notifications/preferences', {
      cookie: w.reader.cookie,
      body: { preferences: { resource_shared: 'weekly' } }
    });
    t.db.$client
      .prepare(
        `INSERT INTO notifications (member_id, kind, data, created_at, email_mode, email_state)
         VALUES (?, 'resource_shared', '{"resourceId":1,"resourceTitle":"Interview checklist"}', ?, 'weekly', 'pending')`
      )
      .run(w.reader.id, t.clock.now());
    at(Date.UTC(2026, 0, 12, 10, 5));
    await sendDigests(t.deps, 'weekly');
    const mail = t.mails().find((m) => m.to === w.reader.email)!;
    expect(mail.text).not.toContain('spotlight');
    expect(mail.subject).toBe('Task Force Connect: your weekly summary (1 notification)');
  });
});
