import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPrivacy, type PrivacyKind } from '../../server/shared/privacyGuard.ts';
import { call, type TestApp } from '../support/app.ts';
import {
  auditOf,
  discussionsApp,
  getJson,
  makeCategory,
  recordEvents,
  replyTo,
  signedMember,
  startThread,
  type Signed
} from '../support/discussions.ts';

const kinds = (text: string, members: string[] = []) =>
  checkPrivacy(text, { isMemberEmail: (e) => members.includes(e), latestBirthYear: 2021 }).map((f) => f.kind);

describe('the guard: what looks like personal data', () => {
  const found: [string, PrivacyKind][] = [
    ['Her SSN is 123-45-6789.', 'ssn'],
    ['social security number: 123456789', 'ssn'],
    ['ssn 078 05 1120', 'ssn'],
    ['DOB: 04/12/2007', 'date_of_birth'],
    ['She was born March 3, 2004 in Houston', 'date_of_birth'],
    ['date of birth 2006-11-02', 'date_of_birth'],
    ['victim, 3/14/2008, was found', 'date_of_birth'],
    ['call her at 713-555-0142', 'phone'],
    ['cell (212) 555 0199', 'phone'],
    ['+1 415.555.0123', 'phone'],
    ['She lives at 1234 Elm Street, Apt 4B', 'street_address'],
    ['found at 55 N. Main St', 'street_address'],
    ['mail to PO Box 1234', 'street_address'],
    ['see 2:24-cr-00123-ABC', 'case_number'],
    ['CR-2024-00123 was filed', 'case_number'],
    ['2024-CF-001234 is the state case', 'case_number'],
    ['Case No. 24STCR01234', 'case_number'],
    ['email jane.doe@gmail.com about it', 'email']
  ];
  it.each(found)('finds %s → %s', (text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  const quiet = [
    'T-visa and U-visa certifications (Form I-914, Supplement B)',
    'ECM task forces, OVC and BJA grants, CSE cases',
    '18 U.S.C. § 1591 and 22 USC 7102',
    'Call the National Human Trafficking Hotline at 1-888-373-7888',
    'Training on 2026-03-14 at 10 am, room 204',
    '3 of the victims were interviewed in 2 days',
    'We met 20 people on the 2nd floor',
    'The 2019 law changed 2 things',
    'Write to program.office@ojp.example.gov'
  ];
  it.each(quiet)('stays quiet on practice talk: %s', (text) => {
    expect(kinds(text, ['program.office@ojp.example.gov'])).toEqual([]);
  });

  it('names what it found with a short excerpt, at most 5 of a kind', () => {
    const findings = checkPrivacy(`Numbers: ${Array.from({ length: 8 }, (_, i) => `123-45-678${i}`).join(', ')}`);
    expect(findings.filter((f) => f.kind === 'ssn')).toHaveLength(5);
    expect(findings[0]).toMatchObject({ label: 'a Social Security number' });
    expect(findings[0]!.excerpt).toContain('123-45-6780');
    expect(findings[0]!.excerpt.length).toBeLessThan(80);
  });
});

describe('the guard on posting', () => {
  let t: TestApp;
  let admin: Signed;
  let member: Signed;
  let category: number;
  beforeEach(async () => {
    t = await discussionsApp();
    admin = await signedMember(t, { role: 'admin' });
    member = await signedMember(t);
    category = await makeCategory(t, admin);
  });
  afterEach(async () => {
    await t.close();
  });

  it('asks before saving a thread, a reply or an edit (422 privacy_check with kinds and excerpts); confirmPrivacy saves', async () => {
    const body = { title: 'Interview notes from last week', body: 'The girl, DOB 04/12/2009, called 713-555-0142.' };
    const asked = await call(t.app, 'POST', `/api/discussions/categories/${category}/threads`, { cookie: member.cookie, body });
    expect(asked.statusCode).toBe(422);
    const error = asked.json().error;
    expect(error.code).toBe('privacy_check');
    expect(error.message).toMatch(/victim-identifying/);
    expect(error.message).toMatch(/a date of birth, a phone number/);
    expect(error.findings).toEqual([
      expect.objectContaining({ kind: 'date_of_birth', excerpt: expect.stringContaining('DOB 04/12/2009') }),
      expect.objectContaining({ kind: 'phone', excerpt: expect.stringContaining('713-555-0142') })
    ]);
    expect(error.fields.body).toMatch(/713-555-0142/);
    expect((await getJson(t, member, `/api/discussions/categories/${category}/threads`)).json().threads).toEqual([]);

    const confirmed = await call(t.app, 'POST', `/api/discussions/categories/${category}/threads`, {
      cookie: member.cookie,
      body: { ...body, confirmPrivacy: true }
    });
    expect(confirmed.statusCode).toBe(201);
    const { threadId, postId } = confirmed.json();
    // Moderators see what the author confirmed past the guard; members do not.
    const moderator = await signedMember(t, { role: 'moderator' });
    expect((await getJson(t, moderator, `/api/discussions/threads/${threadId}`)).json().posts[0].privacyConfirmed).toEqual([
      'date_of_birth',
      'phone'
    ]);
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}`)).json().posts[0].privacyConfirmed).toBeNull();

    const reply = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: member.cookie,
      body: { body: 'Her address is 1234 Elm Street' }
    });
    expect(reply.statusCode).toBe(422);
    expect(reply.json().error.findings.map((f: { kind: string }) => f.kind)).toEqual(['street_address']);

    const edit = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: member.cookie,
      body: { body: 'Case 2:24-cr-00123 went to trial' }
    });
    expect(edit.statusCode).toBe(422);
    expect(edit.json().error.findings[0].kind).toBe('case_number');
    // The title is checked too.
    const title = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: member.cookie,
      body: { body: 'Clean body', title: 'About SSN 123-45-6789' }
    });
    expect(title.statusCode).toBe(422);
  });

  it('a member’s own e-mail address is not a finding; a stranger’s is', async () => {
    const colleague = await signedMember(t, { email: 'colleague@police.example.gov' });
    const { threadId } = await startThread(t, member, category);
    await replyTo(t, member, threadId, `Ask ${colleague.email} about it.`);
    const stranger = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: member.cookie,
      body: { body: 'Her e-mail was jane.roe@gmail.com' }
    });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json().error.findings[0].kind).toBe('email');
  });
});

describe('PII flags and purge', () => {
  let t: TestApp;
  let admin: Signed;
  let author: Signed;
  let reader: Signed;
  let moderator: Signed;
  let category: number;
  beforeEach(async () => {
    t = await discussionsApp();
    admin = await signedMember(t, { role: 'admin' });
    author = await signedMember(t);
    reader = await signedMember(t);
    moderator = await signedMember(t, { role: 'moderator' });
    category = await makeCategory(t, admin);
  });
  afterEach(async () => {
    await t.close();
  });

  const search = async (who: Signed, q: string) =>
    (await getJson(t, who, `/api/search?q=${encodeURIComponent(q)}`)).json().hits.map((h: { postId: number }) => h.postId);

  it('any member’s PII flag hides the post at once, out of search, pending review', async () => {
    const events = recordEvents(t);
    const { threadId } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'The survivor Maribel was placed in the Oakwood shelter.');
    expect(await search(reader, 'Maribel')).toEqual([postId]);
    const flag = await call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, {
      cookie: reader.cookie,
      body: { reason: 'pii' }
    });
    expect(flag.statusCode).toBe(201);
    expect(flag.json()).toMatchObject({ hidden: true });
    const view = (await getJson(t, reader, `/api/discussions/threads/${threadId}`)).json();
    expect(view.posts[1]).toMatchObject({ status: 'hidden', hiddenReason: 'pii_flag', html: null });
    // Its author and moderators still see it (to fix it, and to review it).
    expect((await getJson(t, author, `/api/discussions/threads/${threadId}`)).json().posts[1].html).toContain('Maribel');
    expect((await getJson(t, moderator, `/api/discussions/threads/${threadId}`)).json().posts[1].html).toContain('Maribel');
    expect(await search(reader, 'Maribel')).toEqual([]);
    expect(auditOf(t, 'post.hidden_pending_review')).toHaveLength(1);
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'post.flagged' || e.type === 'post.hidden').map((e) => e.type)).toEqual([
      'post.flagged',
      'post.hidden'
    ]);
  });

  it('purge removes the text from the post, its revisions and the search index; quoting posts are hidden for review', async () => {
    const events = recordEvents(t);
    const { threadId, postId: opening } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'First draft mentions Maribel Quintanilla.');
    t.clock.advance(1000);
    await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: author.cookie,
      body: { body: 'Maribel Quintanilla, age 16, from the Oakwood shelter.' }
    });
    const quoting = await replyTo(t, reader, threadId, '> Maribel Quintanilla, age 16\n\nWe know her too.', {
      quotePostId: postId
    });
    await call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, { cookie: reader.cookie, body: { reason: 'pii' } });

    const purge = await call(t.app, 'POST', `/api/moderation/posts/${postId}/purge`, { cookie: moderator.cookie, body: {} });
    expect(purge.statusCode).toBe(200);
    expect(purge.json()).toEqual({ quotingPostsHidden: [quoting.postId] });

    const stored = t.db.$client
      .prepare('SELECT body, body_html AS html, purged_at AS purgedAt, hidden_at AS hiddenAt FROM posts WHERE id = ?')
      .get(postId) as {
      body: string;
      html: string;
      purgedAt: number;
      hiddenAt: number | null;
    };
    expect(stored.body).not.toMatch(/Maribel|Quintanilla|Oakwood/);
    expect(stored.html).toContain('removed by a moderator');
    expect(stored.purgedAt).toBe(t.clock.now());
    expect(stored.hiddenAt).toBeNull();
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM post_revisions WHERE post_id = ?').get(postId)).toEqual({ n: 0 });
    // Nothing left anywhere in the database but the quoting post (hidden now, pending review).
    const dump = JSON.stringify(
      t.db.$client
        .prepare(
          'SELECT body FROM posts WHERE id <> ? UNION ALL SELECT body FROM post_revisions UNION ALL SELECT body FROM post_search'
        )
        .all(quoting.postId)
    );
    expect(dump).not.toMatch(/Quintanilla/);
    expect(await search(moderator, 'Quintanilla')).toEqual([]);
    expect(await search(reader, 'Oakwood')).toEqual([]);
    // The index was searched by its terms too (secure-delete): no row matches the purged word.
    expect(t.db.$client.prepare("SELECT count(*) AS n FROM post_search WHERE post_search MATCH 'quintanilla'").get()).toEqual({
      n: 0
    });

    const view = (await getJson(t, reader, `/api/discussions/threads/${threadId}`)).json();
    expect(view.posts.find((p: { id: number }) => p.id === postId)).toMatchObject({ status: 'visible', purged: true });
    const asAuthor = (await getJson(t, author, `/api/discussions/threads/${threadId}`)).json();
    expect(asAuthor.posts.find((p: { id: number }) => p.id === quoting.postId)).toMatchObject({ status: 'hidden', html: null });
    const queue = (await getJson(t, moderator, '/api/moderation/flags')).json();
    expect(queue.items.map((i: { post: { id: number } }) => i.post.id)).toEqual([quoting.postId]);
    expect(await search(reader, 'removed')).toEqual([postId]);
    expect(opening).toBeGreaterThan(0);

    const audit = auditOf(t, 'post.purged');
    expect(audit).toEqual([expect.objectContaining({ actorId: moderator.id, targetId: String(postId) })]);
    expect(JSON.stringify(audit)).not.toMatch(/Maribel|Quintanilla/);
    await t.deps.bus.idle();
    expect(events.find((e) => e.type === 'post.purged')).toMatchObject({ postId, threadId, categoryId: category });
    expect(events.find((e) => e.type === 'moderation.outcome')).toMatchObject({
      outcome: 'purge',
      authorId: author.id,
      flaggerIds: [reader.id]
    });
  });

  it('purge can put a redacted version in place, and retitle an opening post', async () => {
    const { threadId, postId } = await startThread(t, author, category, {
      title: 'Case 2:24-cr-00123 questions',
      body: 'About case 2:24-cr-00123: how do we prepare?',
      confirmPrivacy: true
    });
    const purge = await call(t.app, 'POST', `/api/moderation/posts/${postId}/purge`, {
      cookie: moderator.cookie,
      body: { replacement: 'About a federal case: how do we prepare?', title: 'Questions about a federal case' }
    });
    expect(purge.statusCode).toBe(200);
    const view = (await getJson(t, reader, `/api/discussions/threads/${threadId}`)).json();
    expect(view.thread.title).toBe('Questions about a federal case');
    expect(view.posts[0].html).toBe('<p>About a federal case: how do we prepare?</p>');
    expect(await search(reader, 'federal')).toEqual([postId]);
    expect(await search(reader, '00123')).toEqual([]);
    expect(
      (await call(t.app, 'POST', `/api/moderation/posts/${postId}/purge`, { cookie: reader.cookie, body: {} })).statusCode
    ).toBe(403);
  });
});
