import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import {
  create,
  memberSpotlight,
  practiceSpotlight,
  schedule,
  spotlightApp,
  spotlightWorld,
  THIS_WEEK,
  THIS_WEEK_PUBLISH,
  type SpotlightWorld
} from '../support/spotlights.ts';
import { signedMember } from '../support/discussions.ts';
import { sessionCookie } from '../support/factories.ts';
import { DAY } from '../../server/shared/clock.ts';

let t: TestApp;
let w: SpotlightWorld;
beforeEach(async () => {
  t = await spotlightApp();
  w = await spotlightWorld(t);
});
afterEach(async () => {
  await t.close();
});

const image = (purpose = 'spotlight') =>
  Number(
    t.db.$client
      .prepare(
        `INSERT INTO images (purpose, sha256, mime_type, size, width, height, uploaded_by, created_at)
         VALUES (?, 'abc', 'image/png', 10, 1, 1, ?, ?)`
      )
      .run(purpose, w.editor.id, t.clock.now()).lastInsertRowid
  );
const audits = (action: string) =>
  t.db.$client.prepare('SELECT actor_id AS actorId, target_id AS targetId FROM audit_log WHERE action = ?').all(action) as {
    actorId: number;
    targetId: string;
  }[];

describe('writing a spotlight', () => {
  it('editors and admins create; the reply is the spotlight with its consent state; each write is audited', async () => {
    const made = await create(t, w.editor, memberSpotlight(w.featured.id));
    expect(made).toMatchObject({
      kind: 'member',
      kindLabel: 'Member',
      status: 'draft',
      revision: 1,
      week: null,
      threadId: null,
      author: { id: w.editor.id, name: 'Erin Editor' },
      featured: { member: { id: w.featured.id, displayName: 'Fran Featured' }, taskForce: null, resource: null, partner: null },
      consent: { state: 'pending', revision: 1, inPlace: false, deciders: [{ id: w.featured.id, name: 'Fran Featured' }] },
      can: { edit: true, delete: true, schedule: true, decide: false }
    });
    expect(made.bodyHtml).toContain('<strong>2016</strong>');
    expect(made.consent).toMatchObject({ history: [{ decision: 'requested', revision: 1, member: { id: w.editor.id } }] });
    const byAdmin = await create(t, w.admin, practiceSpotlight());
    expect(byAdmin).toMatchObject({ kind: 'practice', consent: { state: 'not_needed', inPlace: true, deciders: [] } });
    expect(audits('spotlight.created').map((a) => a.actorId)).toEqual([w.editor.id, w.admin.id]);
  });

  it('nobody else writes: members, coordinators and moderators get 403; signed out 401', async () => {
    for (const who of [w.reader, w.coordinator, w.moderator, w.featured]) {
      const res = await call(t.app, 'POST', '/api/spotlights', { cookie: who.cookie, body: practiceSpotlight() });
      expect(res.statusCode).toBe(403);
    }
    expect((await call(t.app, 'POST', '/api/spotlights', { body: practiceSpotlight() })).statusCode).toBe(401);
  });

  it('checks every field with a message per field', async () => {
    const bad = async (body: Record<string, unknown>, field: string, message?: RegExp) => {
      const res = await call(t.app, 'POST', '/api/spotlights', { cookie: w.editor.cookie, body });
      expect(res.statusCode, res.body).toBe(400);
      expect(Object.keys(res.json().error.fields ?? {})).toContain(field);
      if (message) expect(res.json().error.fields[field]).toMatch(message);
    };
    await bad(practiceSpotlight({ title: 'Short' }), 'title', /8 to 200/);
    await bad(practiceSpotlight({ title: 'x'.repeat(201) }), 'title');
    await bad(practiceSpotlight({ summary: 'x'.repeat(501) }), 'summary', /500/);
    await bad(practiceSpotlight({ body: 'x'.repeat(50_001) }), 'body', /50,000/);
    await bad(memberSpotlight(w.featured.id, { featuredMemberId: undefined }), 'featuredMemberId', /Choose the member/);
    const suspended = await signedMember(t, { status: 'suspended' });
    await bad(memberSpotlight(suspended.id), 'featuredMemberId', /active member/);
    await bad(memberSpotlight(999_999), 'featuredMemberId');
    await bad({ ...practiceSpotlight(), kind: 'task_force' }, 'featuredTaskForceId', /Choose the task force/);
    await bad({ ...practiceSpotlight(), kind: 'task_force', featuredTaskForceId: 999_999 }, 'featuredTaskForceId');
    await bad({ ...practiceSpotlight(), kind: 'resource' }, 'featuredResourceId');
    await bad({ ...practiceSpotlight(), kind: 'resource', featuredResourceId: 999_999 }, 'featuredResourceId');
    await bad({ ...practiceSpotlight(), kind: 'partner' }, 'partnerName');
    await bad(
      { ...practiceSpotlight(), kind: 'partner', partnerName: 'Safe Harbor', partnerUrl: 'javascript:alert(1)' },
      'partnerUrl'
    );
    // The schema: consent and revision cannot be sent at all.
    for (const extra of [{ consentState: 'approved' }, { revision: 5 }, { publishedAt: 1 }, { authorId: w.reader.id }]) {
      const res = await call(t.app, 'POST', '/api/spotlights', {
        cookie: w.editor.cookie,
        body: { ...practiceSpotlight(), ...extra }
      });
      expect(res.statusCode).toBe(400);
    }
  });

  it('a task force without an active coordinator cannot be featured (nobody could approve)', async () => {
    const lonely = t.db.$client
      .prepare(
        `INSERT INTO task_forces (name, states, lead_agency, grant_ends_at, created_at, updated_at) VALUES ('Lonely TF', '["OK"]', 'X', ?, ?, ?)`
      )
      .run(t.clock.now() + 365 * DAY, t.clock.now(), t.clock.now()).lastInsertRowid;
    const res = await call(t.app, 'POST', '/api/spotlights', {
      cookie: w.editor.cookie,
      body: { ...practiceSpotlight(), kind: 'task_force', featuredTaskForceId: Number(lonely) }
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.featuredTaskForceId).toMatch(/no coordinator/);
    const ok = await create(t, w.editor, { ...practiceSpotlight(), kind: 'task_force', featuredTaskForceId: w.taskForceId });
    expect(ok).toMatchObject({ featured: { taskForce: { id: w.taskForceId, name: 'Gulf Coast Task Force' } } });
    expect((ok.consent as { deciders: unknown[] }).deciders).toEqual([{ id: w.coordinator.id, name: 'Cory Coordinator' }]);
  });

  it('a resource spotlight features a resource every member can open, not a private one', async () => {
    const share = (body: Record<string, unknown>) =>
      call(t.app, 'POST', '/api/resources', {
        cookie: w.reader.cookie,
        body: { type: 'toolkit', url: 'https://example.org/toolkit', ...body }
      });
    const open = await share({ title: 'Open interview toolkit' });
    const closed = await share({
      title: 'Private task force toolkit',
      audience: 'restricted',
      taskForceIds: [w.otherTaskForceId]
    });
    expect([open.statusCode, closed.statusCode]).toEqual([201, 201]);
    const refused = await call(t.app, 'POST', '/api/spotlights', {
      cookie: w.editor.cookie,
      body: { ...practiceSpotlight(), kind: 'resource', featuredResourceId: closed.json().id }
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.fields.featuredResourceId).toMatch(/every member can open/);
    const made = await create(t, w.editor, { ...practiceSpotlight(), kind: 'resource', featuredResourceId: open.json().id });
    expect(made.featured).toMatchObject({ resource: { id: open.json().id, title: 'Open interview toolkit' } });
  });

  it('partner and resource kinds keep only their own links; others are stored as null', async () => {
    const partner = await create(t, w.editor, {
      ...practiceSpotlight(),
      kind: 'partner',
      partnerName: 'Safe Harbor Shelter',
      partnerUrl: 'https://safeharbor.example.org',
      featuredMemberId: w.featured.id
    });
    expect(partner.featured).toEqual({
      member: null,
      taskForce: null,
      resource: null,
      partner: { name: 'Safe Harbor Shelter', url: 'https://safeharbor.example.org' }
    });
  });

  it('runs the privacy guard on title, summary and body: 422 with findings, then saved when confirmed', async () => {
    const body = practiceSpotlight({ summary: 'Call her at 555-867-5309 any time.' });
    const res = await call(t.app, 'POST', '/api/spotlights', { cookie: w.editor.cookie, body });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('privacy_check');
    expect(res.json().error.findings[0].kind).toBe('phone');
    const ok = await call(t.app, 'POST', '/api/spotlights', { cookie: w.editor.cookie, body: { ...body, confirmPrivacy: true } });
    expect(ok.statusCode).toBe(201);
  });
});

describe('images in the body', () => {
  it('renders ![alt](/api/images/N) as <img> only for an uploaded spotlight image with a description', async () => {
    const id = image();
    const made = await create(
      t,
      w.editor,
      practiceSpotlight({ body: `Our room:\n\n![Soft chairs and a lamp](/api/images/${id})` })
    );
    expect(made.bodyHtml).toContain(`<img src="/api/images/${id}" alt="Soft chairs and a lamp" loading="lazy" />`);
    expect(made.imageUrl).toBe(`/api/images/${id}`);

    const refuse = async (body: string, message: RegExp) => {
      const res = await call(t.app, 'POST', '/api/spotlights', { cookie: w.editor.cookie, body: practiceSpotlight({ body }) });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toMatch(message);
    };
    await refuse(`![](/api/images/${id})`, /Describe each image/);
    await refuse('![a cat](https://evil.example/cat.png)', /uploaded with/);
    await refuse(`![a cat](/api/images/${id}/../../x)`, /uploaded with/);
    await refuse(`![a cat](/api/images/${image('profile')})`, /no spotlight image/);
    await refuse('![a cat](/api/images/999999)', /no spotlight image/);
  });

  it('descriptions and titles cannot inject markup', async () => {
    const id = image();
    const made = await create(
      t,
      w.editor,
      practiceSpotlight({ body: `![<script>alert(1)</script> "quoted" & more](/api/images/${id} "onerror=alert(1)")` })
    );
    expect(made.bodyHtml).toBe(
      `<p><img src="/api/images/${id}" alt="&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; more" loading="lazy" /></p>`
    );
  });

  it('the preview renders exactly the same HTML (editors only)', async () => {
    const id = image();
    const body = `Hello **team**\n\n![Map of the region](/api/images/${id})`;
    const preview = await call(t.app, 'POST', '/api/spotlights/preview', { cookie: w.editor.cookie, body: { body } });
    expect(preview.statusCode).toBe(200);
    const made = await create(t, w.editor, practiceSpotlight({ body }));
    expect(preview.json().html).toBe(made.bodyHtml);
    expect((await call(t.app, 'POST', '/api/spotlights/preview', { cookie: w.reader.cookie, body: { body } })).statusCode).toBe(
      403
    );
  });
});

describe('editing', () => {
  it('editing the text bumps the revision and asks again; other fields do not', async () => {
    const made = await create(t, w.editor, {
      ...practiceSpotlight(),
      kind: 'partner',
      partnerName: 'Safe Harbor',
      partnerUrl: 'https://a.example.org'
    });
    const url = await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, {
      cookie: w.editor.cookie,
      body: { partnerUrl: 'https://b.example.org' }
    });
    expect(url.json()).toMatchObject({ revision: 1, featured: { partner: { url: 'https://b.example.org' } } });
    for (const [i, change] of [
      { title: 'A promising practice: shared rooms' },
      { summary: 'New summary' },
      { body: 'New body' }
    ].entries()) {
      const res = await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, { cookie: w.editor.cookie, body: change });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().revision).toBe(i + 2);
    }
    const same = await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, {
      cookie: w.editor.cookie,
      body: { body: 'New body' }
    });
    expect(same.json().revision).toBe(4);
    expect(audits('spotlight.updated')).toHaveLength(4);
  });

  it('consent fields cannot be patched (400), and a patch cannot set the week', async () => {
    const made = await create(t, w.editor, memberSpotlight(w.featured.id));
    for (const body of [
      { consentState: 'approved' },
      { consentRevision: 1 },
      { revision: 1 },
      { week: THIS_WEEK },
      { publishedAt: 1 },
      { threadId: 1 }
    ]) {
      const res = await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, { cookie: w.editor.cookie, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    const row = t.db.$client.prepare('SELECT consent_state AS s FROM spotlights WHERE id = ?').get(made.id) as { s: string };
    expect(row.s).toBe('pending');
  });

  it('switching kind re-checks the featured side and resets consent', async () => {
    const made = await create(t, w.editor, practiceSpotlight());
    const res = await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, {
      cookie: w.editor.cookie,
      body: { kind: 'member', featuredMemberId: w.featured.id }
    });
    expect(res.json()).toMatchObject({ kind: 'member', revision: 2, consent: { state: 'pending', revision: 2 } });
    const back = await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, {
      cookie: w.editor.cookie,
      body: { kind: 'practice' }
    });
    expect(back.json()).toMatchObject({
      kind: 'practice',
      revision: 3,
      consent: { state: 'not_needed' },
      featured: { member: null }
    });
  });

  it('withdraw: soft delete, the week is free again, editors still see it, members get 404', async () => {
    const made = await create(t, w.editor, practiceSpotlight({ week: THIS_WEEK }));
    expect(made).toMatchObject({ week: THIS_WEEK, publishAt: THIS_WEEK_PUBLISH, status: 'scheduled' });
    const gone = await call(t.app, 'POST', `/api/spotlights/${made.id}/delete`, { cookie: w.editor.cookie });
    expect(gone.json()).toEqual({ ok: true });
    expect((await call(t.app, 'GET', `/api/spotlights/${made.id}`, { cookie: w.editor.cookie })).json()).toMatchObject({
      deleted: true,
      status: 'withdrawn'
    });
    expect((await call(t.app, 'POST', `/api/spotlights/${made.id}/delete`, { cookie: w.editor.cookie })).statusCode).toBe(409);
    expect(
      (await call(t.app, 'PATCH', `/api/spotlights/${made.id}`, { cookie: w.editor.cookie, body: { body: 'x' } })).statusCode
    ).toBe(409);
    const next = await create(t, w.editor, practiceSpotlight({ title: 'Another promising practice here', week: THIS_WEEK }));
    expect(next.week).toBe(THIS_WEEK);
    expect(audits('spotlight.deleted')).toHaveLength(1);
  });
});

describe('schedule', () => {
  it('any date of a week → its Monday; one per slot (409 naming it); unschedule frees it', async () => {
    const a = await create(t, w.editor, practiceSpotlight());
    const b = await create(t, w.editor, practiceSpotlight({ title: 'Second promising practice' }));
    const res = await schedule(t, w.editor, a.id, '2026-03-12');
    expect(res.json()).toMatchObject({ week: '2026-03-09', publishAt: Date.UTC(2026, 2, 9, 13), status: 'scheduled' });
    const taken = await schedule(t, w.editor, b.id, '2026-03-09');
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.message).toBe(
      'The week of 2026-03-09 already has “A promising practice: joint interview rooms”. Choose another week or unschedule it first.'
    );
    // Moving within its own slot, or to another, is fine.
    expect((await schedule(t, w.editor, a.id, '2026-03-15')).statusCode).toBe(200);
    expect((await schedule(t, w.editor, a.id, '2026-11-04')).json()).toMatchObject({
      week: '2026-11-02',
      publishAt: Date.UTC(2026, 10, 2, 14)
    });
    expect((await schedule(t, w.editor, b.id, '2026-03-09')).statusCode).toBe(200);
    const un = await call(t.app, 'POST', `/api/spotlights/${b.id}/unschedule`, { cookie: w.editor.cookie });
    expect(un.json()).toMatchObject({ week: null, publishAt: null, status: 'draft' });
    // 03-15 is the Sunday of the same slot: nothing moved, nothing audited.
    expect(audits('spotlight.scheduled')).toHaveLength(3);
    expect(audits('spotlight.unscheduled')).toHaveLength(1);
  });

  it('refuses a week that is over, and bad dates; the current week is allowed after its moment', async () => {
    const a = await create(t, w.editor, practiceSpotlight());
    // Monday 07:00 in New York: last week's slot runs until 09:00, the one before is over.
    const over = await schedule(t, w.editor, a.id, '2025-12-24');
    expect(over.statusCode).toBe(400);
    expect(over.json().error.fields.week).toMatch(/this week or a later/);
    expect((await schedule(t, w.editor, a.id, '2026-02-30')).statusCode).toBe(400);
    expect((await schedule(t, w.editor, a.id, 'next monday')).statusCode).toBe(400);
    t.clock.advance(2 * DAY);
    const editor = { ...w.editor, cookie: sessionCookie(t, w.editor.id) };
    expect((await schedule(t, editor, a.id, THIS_WEEK)).json()).toMatchObject({ status: 'waiting' });
  });

  it('only editors and admins schedule', async () => {
    const a = await create(t, w.editor, memberSpotlight(w.featured.id));
    for (const who of [w.featured, w.coordinator, w.moderator]) {
      expect((await schedule(t, who, a.id, THIS_WEEK)).statusCode).toBe(403);
    }
    expect((await schedule(t, w.admin, a.id, THIS_WEEK)).statusCode).toBe(200);
  });
});

describe('the editors’ calendar', () => {
  it('lists the next 12 weekly slots with occupant (title, consent state) or empty, and unscheduled drafts', async () => {
    const a = await create(t, w.editor, memberSpotlight(w.featured.id, { week: '2026-01-19' }));
    const draft = await create(t, w.editor, practiceSpotlight());
    const res = await call(t.app, 'GET', '/api/spotlights/calendar', { cookie: w.editor.cookie });
    expect(res.statusCode).toBe(200);
    const { weeks, drafts, timeZone } = res.json();
    expect(timeZone, 'pages show publish times in the slot zone').toBe('America/New_York');
    expect(weeks).toHaveLength(12);
    expect(weeks[0]).toEqual({ week: THIS_WEEK, publishAt: THIS_WEEK_PUBLISH, spotlight: null });
    expect(weeks[2]).toMatchObject({
      week: '2026-01-19',
      spotlight: { id: a.id, title: a.title, kindLabel: 'Member', status: 'scheduled', consentState: 'pending' }
    });
    expect(weeks[11].week).toBe('2026-03-23');
    expect(drafts.map((d: { id: number }) => d.id)).toEqual([draft.id]);
    const later = await call(t.app, 'GET', '/api/spotlights/calendar?from=2026-03-11', { cookie: w.editor.cookie });
    expect(later.json().weeks[0]).toMatchObject({ week: '2026-03-09', publishAt: Date.UTC(2026, 2, 9, 13) });
    expect((await call(t.app, 'GET', '/api/spotlights/calendar', { cookie: w.coordinator.cookie })).statusCode).toBe(403);
  });

  it('member options: active members by name, for editors', async () => {
    const res = await call(t.app, 'GET', '/api/spotlights/member-options?q=fran', { cookie: w.editor.cookie });
    expect(res.json().members).toEqual([{ id: w.featured.id, name: 'Fran Featured', taskForceName: 'Gulf Coast Task Force' }]);
    const wild = await call(t.app, 'GET', '/api/spotlights/member-options?q=%25', { cookie: w.editor.cookie });
    expect(wild.json().members).toEqual([]);
    expect((await call(t.app, 'GET', '/api/spotlights/member-options?q=fran', { cookie: w.reader.cookie })).statusCode).toBe(403);
  });
});
