import { afterEach, describe, expect, it } from 'vitest';
import { EMAIL_DELAY_MS, sendDelayedEmails } from '../../server/modules/notifications/mail.ts';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { signedMember } from '../support/discussions.ts';
import { counts, notified, setStatus, suggest, suggestionPage, vote } from '../support/suggestions.ts';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe('voting', () => {
  it('one vote per member: voting twice counts once, a vote can be taken back, the count stays exact', async () => {
    t = await makeApp();
    const author = await signedMember(t);
    const b = await signedMember(t);
    const id = await suggest(t, author);
    const first = await vote(t, b, id);
    expect(first.json()).toEqual({ voted: true, voteCount: 2 });
    expect((await vote(t, b, id)).json()).toEqual({ voted: true, voteCount: 2 });
    expect(counts(t, id)).toEqual({ stored: 2, rows: 2, voters: [author.id, b.id].sort((x, y) => x - y) });
    expect((await vote(t, b, id, false)).json()).toEqual({ voted: false, voteCount: 1 });
    expect((await vote(t, b, id, false)).json()).toEqual({ voted: false, voteCount: 1 });
    expect((await vote(t, author, id, false)).json()).toEqual({ voted: false, voteCount: 0 });
    expect(counts(t, id)).toEqual({ stored: 0, rows: 0, voters: [] });
    expect((await vote(t, b, 999_999)).statusCode).toBe(404);
    expect(
      (await call(t.app, 'POST', `/api/suggestions/${id}/vote`, { cookie: b.cookie, body: { vote: 'yes' } })).statusCode
    ).toBe(400);
  });

  it('closes on done, declined and already exists (409 "Voting is closed"), and stays open otherwise', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const m = await signedMember(t);
    const original = await suggest(t, admin, 'The original suggestion here');
    for (const [status, extra] of [
      ['under_review', {}],
      ['planned', {}],
      ['in_progress', {}]
    ] as const) {
      const id = await suggest(t, admin, `Open while ${status} for votes`);
      expect((await setStatus(t, admin, id, { status, ...extra })).statusCode).toBe(200);
      expect((await vote(t, m, id)).statusCode, status).toBe(200);
    }
    for (const [status, extra] of [
      ['done', {}],
      ['declined', { note: 'Out of the program’s scope.' }],
      ['already_exists', { note: 'See the original.', duplicateOfId: original }]
    ] as const) {
      const id = await suggest(t, m, `Closed once ${status} here`);
      expect((await setStatus(t, admin, id, { status, ...extra })).statusCode).toBe(200);
      const res = await vote(t, m, id, false);
      expect(res.statusCode, status).toBe(409);
      expect(res.json().error.message).toBe('Voting is closed');
      expect((await suggestionPage(t, m, id)).json()).toMatchObject({ votingOpen: false, can: { vote: false } });
    }
  });
});

describe('status changes', () => {
  it('records the history with public notes, audits it, and tells the author and every voter but the admin', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin', name: 'Ada Admin' });
    const author = await signedMember(t);
    const b = await signedMember(t);
    const c = await signedMember(t);
    const gone = await signedMember(t);
    const id = await suggest(t, author, 'Mobile forensic lab for rural task forces');
    for (const who of [b, c, admin, gone]) await vote(t, who, id);
    await vote(t, c, id, false);
    t.db.$client.prepare("UPDATE members SET status = 'suspended' WHERE id = ?").run(gone.id);
    const res = await setStatus(t, admin, id, { status: 'planned', note: 'Funded in the spring round.' });
    expect(res.statusCode, res.body).toBe(200);
    const page = (await suggestionPage(t, b, id)).json();
    expect(page).toMatchObject({
      status: 'planned',
      statusNote: 'Funded in the spring round.',
      history: [
        {
          fromStatus: 'new',
          toStatus: 'planned',
          note: 'Funded in the spring round.',
          changedBy: { id: admin.id, displayName: 'Ada Admin' }
        }
      ]
    });
    const told = notified(t);
    expect(told.map((n) => n.memberId)).toEqual([author.id, b.id]);
    expect(told[0]!.data).toMatchObject({
      suggestionId: id,
      suggestionStatus: 'planned',
      statusNote: 'Funded in the spring round.'
    });
    const list = (await call(t.app, 'GET', '/api/notifications', { cookie: b.cookie })).json();
    expect(list.notifications[0]).toMatchObject({
      kind: 'suggestion_status',
      text: '“Mobile forensic lab for rural task forces” is now Planned',
      url: `/suggestions/${id}`
    });
    // E-mail by default, once still unread after the delay (notification preferences: immediate).
    t.clock.advance(EMAIL_DELAY_MS + 1000);
    await sendDelayedEmails(t.deps);
    const mail = t.mails().find((m) => m.to === author.email);
    expect(mail?.subject).toContain('“Mobile forensic lab for rural task forces” is now Planned');
    expect(t.mails().some((m) => m.to === admin.email)).toBe(false);
    const audit = t.db.$client
      .prepare(
        "SELECT actor_id AS actorId, target_id AS targetId, detail FROM audit_log WHERE action = 'suggestion.status_changed'"
      )
      .all() as { actorId: number; targetId: string; detail: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, targetId: String(id) });
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ from: 'new', to: 'planned' });
  });

  it('needs a note for declined and already exists, an original for already exists, and a real change', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const id = await suggest(t, admin, 'A suggestion to decide on');
    const other = await suggest(t, admin, 'Another suggestion entirely');
    const cases: [Record<string, unknown>, string][] = [
      [{ status: 'declined' }, 'note'],
      [{ status: 'declined', note: '   ' }, 'note'],
      [{ status: 'already_exists', note: 'Duplicate.' }, 'duplicateOfId'],
      [{ status: 'already_exists', note: 'Duplicate.', duplicateOfId: id }, 'duplicateOfId'],
      [{ status: 'already_exists', note: 'Duplicate.', duplicateOfId: 999_999 }, 'duplicateOfId'],
      [{ status: 'planned', duplicateOfId: other }, 'duplicateOfId'],
      [{ status: 'new' }, 'status'],
      [{ status: 'planned', note: 'n'.repeat(2001) }, 'note']
    ];
    for (const [body, field] of cases) {
      const res = await setStatus(t, admin, id, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.json().error.fields).toHaveProperty(field);
    }
    expect((await setStatus(t, admin, id, { status: 'bogus' })).statusCode).toBe(400);
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM suggestion_status_changes').get()).toEqual({ n: 0 });
    const member = await signedMember(t);
    expect((await setStatus(t, member, id, { status: 'planned' })).statusCode).toBe(403);
    const moderator = await signedMember(t, { role: 'moderator' });
    expect((await setStatus(t, moderator, id, { status: 'planned' })).statusCode).toBe(403);
  });

  it('already exists: links the original and merges the votes (a member who voted for both keeps one), counts exact', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const [a, b, c, d] = [await signedMember(t), await signedMember(t), await signedMember(t), await signedMember(t)];
    const original = await suggest(t, a, 'Statewide victim services directory');
    const dup = await suggest(t, b, 'Directory of victim service providers');
    await vote(t, c, original);
    await vote(t, c, dup);
    await vote(t, d, dup);
    expect(counts(t, original).stored).toBe(2);
    expect(counts(t, dup).stored).toBe(3);
    const res = await setStatus(t, admin, dup, {
      status: 'already_exists',
      note: 'We track this in the original.',
      duplicateOfId: original
    });
    expect(res.statusCode, res.body).toBe(200);
    const sorted = (ids: number[]) => [...ids].sort((x, y) => x - y);
    expect(counts(t, original)).toEqual({ stored: 4, rows: 4, voters: sorted([a.id, b.id, c.id, d.id]) });
    expect(counts(t, dup)).toEqual({ stored: 0, rows: 0, voters: [] });
    expect((await suggestionPage(t, d, dup)).json()).toMatchObject({
      status: 'already_exists',
      original: { id: original, title: 'Statewide victim services directory' },
      history: [{ toStatus: 'already_exists', duplicateOfId: original }]
    });
    expect((await suggestionPage(t, d, original)).json()).toMatchObject({
      myVote: true,
      duplicates: [{ id: dup, title: 'Directory of victim service providers' }]
    });
    // Told: the duplicate's author and its voters (as they were before the merge).
    expect(notified(t).map((n) => n.memberId)).toEqual(sorted([b.id, c.id, d.id]));
  });

  it('refuses a loop of duplicates, directly or through a chain', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const x = await suggest(t, admin, 'Suggestion X for the loop');
    const y = await suggest(t, admin, 'Suggestion Y for the loop');
    const z = await suggest(t, admin, 'Suggestion Z for the loop');
    expect((await setStatus(t, admin, y, { status: 'already_exists', note: 'Dup.', duplicateOfId: x })).statusCode).toBe(200);
    expect((await setStatus(t, admin, z, { status: 'already_exists', note: 'Dup.', duplicateOfId: y })).statusCode).toBe(200);
    const direct = await setStatus(t, admin, y, { status: 'already_exists', note: 'Back.', duplicateOfId: z });
    expect(direct.statusCode).toBe(400);
    const chain = await setStatus(t, admin, x, { status: 'already_exists', note: 'Loop.', duplicateOfId: z });
    expect(chain.statusCode).toBe(400);
    expect(chain.json().error.fields).toHaveProperty('duplicateOfId');
    expect((await suggestionPage(t, admin, x)).json().status).toBe('new');
  });

  it('does not tell the admin who changed it, even as the author', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const voter = await signedMember(t);
    const id = await suggest(t, admin, 'An admin’s own suggestion');
    await vote(t, voter, id);
    await setStatus(t, admin, id, { status: 'done', note: 'Shipped.' });
    expect(notified(t).map((n) => n.memberId)).toEqual([voter.id]);
  });
});
