import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import {
  create,
  decide,
  memberSpotlight,
  notificationsOf,
  runJob,
  schedule,
  spotlightApp,
  spotlightWorld,
  THIS_WEEK,
  THIS_WEEK_PUBLISH,
  type SpotlightWorld
} from '../support/spotlights.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { sessionCookie } from '../support/factories.ts';
import { DECIDER_MEMBERS_SQL, DECIDES_SQL, deciderParams, decidesFor } from '../../server/policies/spotlights.ts';
import type { Actor } from '../../server/policies/index.ts';
import { MINUTE } from '../../server/shared/clock.ts';
import { sendDelayedEmails } from '../../server/modules/notifications/mail.ts';

let t: TestApp;
let w: SpotlightWorld;
beforeEach(async () => {
  t = await spotlightApp();
  w = await spotlightWorld(t);
});
afterEach(async () => {
  await t.close();
});

const taskForceSpotlight = (taskForceId: number) => ({
  kind: 'task_force',
  title: 'The Gulf Coast task force’s first year',
  summary: 'What a year of joint work looks like.',
  body: 'Six agencies, one shared protocol.',
  featuredTaskForceId: taskForceId
});
const get = (who: Signed, id: number) => call(t.app, 'GET', `/api/spotlights/${id}`, { cookie: who.cookie });
const row = (id: number) =>
  t.db.$client
    .prepare(
      'SELECT consent_state AS state, consent_revision AS consentRevision, revision, published_at AS publishedAt FROM spotlights WHERE id = ?'
    )
    .get(id) as { state: string; consentRevision: number | null; revision: number; publishedAt: number | null };
/** Past this week's publish moment, with fresh sessions (the old ones idled out). */
function afterPublishMoment() {
  t.clock.current = THIS_WEEK_PUBLISH + MINUTE;
  for (const key of Object.keys(w) as (keyof SpotlightWorld)[]) {
    const m = w[key];
    if (typeof m === 'object') (m as Signed).cookie = sessionCookie(t, (m as Signed).id);
  }
}

describe('a member spotlight: the featured member decides', () => {
  it('asks the member (notice + immediate e-mail), who reads the draft, approves it, and the editors hear', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id));
    const [asked] = notificationsOf(t, w.featured.id, 'spotlight_consent');
    expect(asked).toMatchObject({ emailMode: 'immediate', data: { spotlightId: s.id, spotlightTitle: s.title } });
    const list = await call(t.app, 'GET', '/api/notifications', { cookie: w.featured.cookie });
    expect(list.json().notifications[0]).toMatchObject({
      kind: 'spotlight_consent',
      text: `Please approve the spotlight “${s.title}” about you`,
      url: `/spotlights/${s.id}`
    });
    t.clock.advance(11 * MINUTE);
    await sendDelayedEmails(t.deps);
    expect(t.mails().filter((m) => m.to === w.featured.email && m.subject.includes('Please approve'))).toHaveLength(1);

    const requests = await call(t.app, 'GET', '/api/spotlights/consent-requests', { cookie: w.featured.cookie });
    expect(requests.json().requests).toEqual([
      expect.objectContaining({ id: s.id, title: s.title, kind: 'member', kindLabel: 'Member', revision: 1 })
    ]);
    const view = await get(w.featured, s.id);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ bodyHtml: s.bodyHtml, body: '', can: { decide: true, edit: false } });

    const ok = await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().consent).toMatchObject({ state: 'approved', revision: 1, inPlace: true });
    await t.deps.bus.idle();
    expect((await call(t.app, 'GET', '/api/spotlights/consent-requests', { cookie: w.featured.cookie })).json().requests).toEqual(
      []
    );
    for (const told of [w.editor, w.admin]) {
      expect(notificationsOf(t, told.id, 'spotlight_consent_decided')).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ decision: 'approved', actor: { id: w.featured.id, name: 'Fran Featured' } })
        })
      ]);
    }
    expect(notificationsOf(t, w.featured.id, 'spotlight_consent_decided')).toEqual([]);
    const audit = t.db.$client.prepare(`SELECT actor_id AS a FROM audit_log WHERE action = 'spotlight.consent_decided'`).all();
    expect(audit).toEqual([{ a: w.featured.id }]);
  });

  it('ask for changes and decline need a comment; each decision is logged in the history', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id));
    const bare = await decide(t, w.featured, s.id, { revision: 1, decision: 'changes' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error.fields.comment).toBeDefined();
    expect((await decide(t, w.featured, s.id, { revision: 1, decision: 'decline', comment: '   ' })).statusCode).toBe(400);
    await decide(t, w.featured, s.id, { revision: 1, decision: 'changes', comment: 'Please leave out my unit’s name.' });
    const declined = await decide(t, w.featured, s.id, { revision: 1, decision: 'decline', comment: 'On reflection, no.' });
    expect(declined.json().consent.state).toBe('declined');
    // A change of mind before it runs is allowed.
    await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    const history = (await get(w.editor, s.id)).json().consent.history;
    expect(history.map((h: { decision: string }) => h.decision)).toEqual([
      'approved',
      'declined',
      'changes_requested',
      'requested'
    ]);
    expect(history[2].comment).toBe('Please leave out my unit’s name.');
    // Members who are not asked never see the history.
    expect((await get(w.reader, s.id)).statusCode).toBe(404);
  });
});

describe('consent cannot be bypassed through the API', () => {
  it('nobody but the featured member decides: editor, admin, coordinator, other members', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id));
    for (const who of [w.editor, w.admin]) {
      const res = await decide(t, who, s.id, { revision: 1, decision: 'approve' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toBe('Only Fran Featured can approve this spotlight.');
    }
    // The featured member's own coordinator, and anyone else: not even told it exists.
    for (const who of [w.coordinator, w.otherCoordinator, w.reader, w.moderator]) {
      expect((await decide(t, who, s.id, { revision: 1, decision: 'approve' })).statusCode).toBe(404);
      expect((await get(who, s.id)).statusCode).toBe(404);
    }
    expect((await decide(t, { ...w.reader, cookie: '' }, s.id, { revision: 1, decision: 'approve' })).statusCode).toBe(401);
    expect(row(s.id).state).toBe('pending');
  });

  it('a stale revision is refused (409); an edit after approval asks again and the old approval no longer counts', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id, { week: THIS_WEEK }));
    expect((await decide(t, w.featured, s.id, { revision: 2, decision: 'approve' })).statusCode).toBe(409);
    await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    const edited = await call(t.app, 'PATCH', `/api/spotlights/${s.id}`, {
      cookie: w.editor.cookie,
      body: { body: 'She started in 2016. She now leads the team.' }
    });
    expect(edited.json()).toMatchObject({ revision: 2, consent: { state: 'pending', revision: 2, inPlace: false } });
    await t.deps.bus.idle();
    expect(notificationsOf(t, w.featured.id, 'spotlight_consent')).toHaveLength(2);
    const stale = await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/changed since you opened it/);
    afterPublishMoment();
    expect(await runJob(t)).toEqual({ published: [], waiting: [s.id] });
    expect(row(s.id).publishedAt).toBeNull();
    // The approval of revision 2 lets it run, at once (the moment has passed, the week has not).
    const ok = await decide(t, w.featured, s.id, { revision: 2, decision: 'approve' });
    expect(ok.json()).toMatchObject({ status: 'published', threadId: expect.any(Number) });
  });

  it('consent state forged in the database for an older revision does not publish (job re-checks the revision)', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id, { week: THIS_WEEK }));
    t.db.$client.prepare(`UPDATE spotlights SET consent_state = 'approved', consent_revision = 0 WHERE id = ?`).run(s.id);
    afterPublishMoment();
    expect((await runJob(t)).published).toEqual([]);
    t.db.$client.prepare(`UPDATE spotlights SET consent_state = 'not_needed', consent_revision = NULL WHERE id = ?`).run(s.id);
    expect((await runJob(t)).published).toEqual([]);
  });

  it('scheduling, rescheduling and the job never publish without approval', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id));
    expect((await schedule(t, w.editor, s.id, THIS_WEEK)).statusCode).toBe(200);
    afterPublishMoment();
    expect((await runJob(t)).published).toEqual([]);
    expect((await call(t.app, 'GET', '/api/spotlights/current', { cookie: w.reader.cookie })).json()).toEqual({
      spotlight: null
    });
    const declined = await decide(t, w.featured, s.id, { revision: 1, decision: 'decline', comment: 'No thank you.' });
    expect(declined.json().status).toBe('waiting');
    expect((await runJob(t)).published).toEqual([]);
  });

  it('after publication nobody decides any more (409), and withdrawn ones cannot be decided', async () => {
    const s = await create(t, w.editor, memberSpotlight(w.featured.id, { week: THIS_WEEK }));
    await decide(t, w.featured, s.id, { revision: 1, decision: 'approve' });
    afterPublishMoment();
    expect((await runJob(t)).published).toEqual([s.id]);
    expect((await decide(t, w.featured, s.id, { revision: 1, decision: 'decline', comment: 'Too late?' })).statusCode).toBe(409);
    const other = await create(t, w.editor, memberSpotlight(w.featured.id, { title: 'Another story about the same person' }));
    await call(t.app, 'POST', `/api/spotlights/${other.id}/delete`, { cookie: w.editor.cookie });
    expect((await decide(t, w.featured, other.id, { revision: 1, decision: 'approve' })).statusCode).toBe(404);
  });

  it('a spotlight with nobody to ask cannot be "approved"', async () => {
    const s = await create(t, w.editor, {
      kind: 'practice',
      title: 'A promising practice: joint interview rooms',
      body: 'Soft light.'
    });
    const res = await decide(t, w.editor, s.id, { revision: 1, decision: 'approve' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/does not need/);
  });
});

describe('a task-force spotlight: a coordinator of that task force decides', () => {
  it('any active coordinator of it; not one of another task force, not its members, not staff', async () => {
    const second = await signedMember(t, { role: 'coordinator', taskForceId: w.taskForceId, name: 'Sam Second' });
    const s = await create(t, w.editor, taskForceSpotlight(w.taskForceId));
    await t.deps.bus.idle();
    for (const c of [w.coordinator, second]) {
      expect(notificationsOf(t, c.id, 'spotlight_consent')[0]!.data).toMatchObject({ about: 'Gulf Coast Task Force' });
      const reqs = await call(t.app, 'GET', '/api/spotlights/consent-requests', { cookie: c.cookie });
      expect(reqs.json().requests.map((r: { id: number }) => r.id)).toEqual([s.id]);
    }
    expect(notificationsOf(t, w.featured.id, 'spotlight_consent')).toEqual([]);
    for (const who of [w.otherCoordinator, w.featured, w.reader]) {
      expect((await decide(t, who, s.id, { revision: 1, decision: 'approve' })).statusCode).toBe(404);
      expect((await call(t.app, 'GET', '/api/spotlights/consent-requests', { cookie: who.cookie })).json().requests).toEqual([]);
    }
    for (const who of [w.editor, w.admin]) {
      expect((await decide(t, who, s.id, { revision: 1, decision: 'approve' })).statusCode).toBe(403);
    }
    const ok = await decide(t, second, s.id, { revision: 1, decision: 'approve' });
    expect(ok.json().consent.state).toBe('approved');
  });
});

describe('the decider rule: JS and both SQL forms agree', () => {
  it('for every member of the world and every kind of spotlight', async () => {
    const suspendedCoordinator = await signedMember(t, { role: 'coordinator', taskForceId: w.taskForceId, status: 'suspended' });
    const people: Signed[] = [...(Object.values(w).filter((v) => typeof v === 'object') as Signed[]), suspendedCoordinator];
    const actorOf = (who: Signed): Actor | null => t.deps.sessions.validate(sessionCookie(t, who.id).split('=')[1]!);
    const shapes = [
      { kind: 'member', featuredMemberId: w.featured.id, featuredTaskForceId: null },
      { kind: 'member', featuredMemberId: w.editor.id, featuredTaskForceId: null },
      { kind: 'task_force', featuredMemberId: null, featuredTaskForceId: w.taskForceId },
      { kind: 'task_force', featuredMemberId: null, featuredTaskForceId: w.otherTaskForceId },
      { kind: 'practice', featuredMemberId: null, featuredTaskForceId: null }
    ] as const;
    for (const shape of shapes) {
      const askedSql = new Set(
        (
          t.db.$client.prepare(`SELECT m.id FROM members m WHERE ${DECIDER_MEMBERS_SQL}`).all({
            kind: shape.kind,
            featuredMemberId: shape.featuredMemberId ?? -1,
            featuredTaskForceId: shape.featuredTaskForceId ?? -1
          }) as { id: number }[]
        ).map((r) => r.id)
      );
      for (const who of people) {
        const actor = who === suspendedCoordinator ? null : actorOf(who);
        const js = decidesFor(actor, shape);
        const sql = (
          t.db.$client
            .prepare(
              `SELECT ${DECIDES_SQL} AS ok FROM (SELECT @k AS kind, @m AS featured_member_id, @tf AS featured_task_force_id) s`
            )
            .get({ ...deciderParams(actor), k: shape.kind, m: shape.featuredMemberId, tf: shape.featuredTaskForceId }) as {
            ok: number;
          }
        ).ok;
        expect(Boolean(sql), `${who.name} / ${shape.kind}`).toBe(js);
        expect(askedSql.has(who.id), `${who.name} asked / ${shape.kind}`).toBe(js);
      }
    }
  });
});
