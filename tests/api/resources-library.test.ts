import { afterEach, describe, expect, it } from 'vitest';
import { runExtraction } from '../../server/modules/resources/extraction.ts';
import { call } from '../support/app.ts';
import { makeCategory, signedMember, startThread, type Signed } from '../support/discussions.ts';
import { createTaskForce } from '../support/factories.ts';
import { docxWith, pdfWith } from '../support/fileFixtures.ts';
import { makeResourceApp, uploadFile } from '../support/resources.ts';

let t: Awaited<ReturnType<typeof makeResourceApp>>;
afterEach(async () => {
  await t?.close();
});

const link = (over: Record<string, unknown> = {}) => ({
  title: 'Labor trafficking screening toolkit',
  description: 'Questions we ask at intake.',
  type: 'toolkit',
  url: 'https://example.org/toolkit',
  ...over
});

async function share(who: Signed, over: Record<string, unknown> = {}) {
  const res = await call(t.app, 'POST', '/api/resources', { cookie: who.cookie, body: link(over) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; threadId: number };
}

const get = (who: Signed, url: string) => call(t.app, 'GET', url, { cookie: who.cookie });
const titles = (body: { resources: { title: string }[] }) => body.resources.map((r) => r.title);
const notifications = (memberId: number, kind: string) =>
  t.db.$client.prepare('SELECT data FROM notifications WHERE member_id = ? AND kind = ? ORDER BY id').all(memberId, kind) as {
    data: string;
  }[];

describe('sharing', () => {
  it('shares a link with its details, tags normalised and the description rendered safely', async () => {
    t = await makeResourceApp();
    const tf = createTaskForce(t);
    const member = await signedMember(t);
    const { id, threadId } = await share(member, {
      tags: ['T-Visa', '  Labor   Trafficking ', '#MOU!', 't-visa', ''],
      description: 'See **this** <script>alert(1)</script> [guide](https://example.org/g) and [x](javascript:alert(1))',
      originTaskForceId: tf.id
    });
    const page = (await get(member, `/api/resources/${id}`)).json();
    expect(page).toMatchObject({
      title: 'Labor trafficking screening toolkit',
      kind: 'link',
      type: 'toolkit',
      typeLabel: 'Toolkit',
      url: 'https://example.org/toolkit',
      tags: ['labor trafficking', 'mou', 't-visa'],
      originTaskForce: { id: tf.id, name: tf.name },
      audience: { isPrivate: false, taskForces: [], disciplines: [] },
      author: { id: member.id, name: member.name },
      threadId,
      file: null,
      versions: [],
      extraction: 'none',
      can: { edit: true, delete: true, addVersion: false, reportBrokenLink: true, recommend: true, restore: false }
    });
    expect(page.descriptionHtml).toContain('<strong>this</strong>');
    expect(page.descriptionHtml).not.toContain('<script');
    expect(page.descriptionHtml).toContain('href="https://example.org/g" rel="noopener nofollow ugc"');
    // A javascript: link stays plain text.
    expect(page.descriptionHtml).not.toMatch(/href="javascript/);
  });

  it('refuses bad details with a clear message naming the field', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'javascript:alert(1)' }, 'url', /https?:\/\//],
      [{ url: 'ftp://example.org/file' }, 'url', /https?:\/\//],
      [{ url: 'data:text/html,<script>1</script>' }, 'url', /https?:\/\//],
      [{ url: 'not a link' }, 'url', /full link address/],
      [{ url: 'https://user:secret@example.org/' }, 'url', /user name or password/],
      [{ title: 'ab' }, 'title', /3 to 200/],
      [{ title: 'x'.repeat(201) }, 'title', /3 to 200/],
      [{ tags: Array.from({ length: 11 }, (_, i) => `tag ${i}`) }, 'tags', /at most 10 tags/],
      [{ tags: ['x'.repeat(41)] }, 'tags', /at most 40 characters/],
      [{ audience: 'restricted' }, 'taskForceIds', /at least one task force or discipline/],
      [{ taskForceIds: [9999] }, 'taskForceIds', /task forces from the list/],
      [{ originTaskForceId: 9999 }, 'originTaskForceId', /task forces from the list/]
    ];
    for (const [over, field, message] of cases) {
      const res = await call(t.app, 'POST', '/api/resources', { cookie: member.cookie, body: link(over) });
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(res.json().error.message, JSON.stringify(over)).toMatch(message);
      expect(res.json().error.fields?.[field], JSON.stringify(over)).toBeDefined();
    }
    const badType = await call(t.app, 'POST', '/api/resources', { cookie: member.cookie, body: link({ type: 'malware' }) });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().error.fields.type).toBeDefined();
    expect((t.db.$client.prepare('SELECT count(*) AS n FROM resources').get() as { n: number }).n).toBe(0);
  });

  it('a private audience must include the sharer (moderators excepted)', async () => {
    t = await makeResourceApp();
    const a = createTaskForce(t);
    const b = createTaskForce(t);
    const inA = await signedMember(t, { taskForceId: a.id, discipline: 'prosecution' });
    const outside = await call(t.app, 'POST', '/api/resources', { cookie: inA.cookie, body: link({ taskForceIds: [b.id] }) });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.message).toMatch(/Include your own task force or discipline/);
    await share(inA, { taskForceIds: [b.id], disciplines: ['prosecution'] });
    await share(inA, { taskForceIds: [a.id] });
    const moderator = await signedMember(t, { role: 'moderator' });
    await share(moderator, { taskForceIds: [b.id] });
  });

  it('asks the privacy question before saving a link or an upload, and saves once confirmed', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const description = 'Victim DOB 03/14/1990, SSN 123-45-6789.';
    const first = await call(t.app, 'POST', '/api/resources', { cookie: member.cookie, body: link({ description }) });
    expect(first.statusCode).toBe(422);
    expect(first.json().error.code).toBe('privacy_check');
    expect(first.json().error.findings.map((f: { kind: string }) => f.kind)).toEqual(
      expect.arrayContaining(['ssn', 'date_of_birth'])
    );
    const check = await call(t.app, 'POST', '/api/resources/check', {
      cookie: member.cookie,
      body: { title: 'Case notes', description, type: 'other', kind: 'file' }
    });
    expect(check.statusCode).toBe(422);
    const fields = { title: 'Case notes', description, type: 'other' };
    const upload = await uploadFile(t, member.cookie, { name: 'a.pdf', content: pdfWith('x') }, fields);
    expect(upload.statusCode).toBe(422);
    expect(upload.json().error.findings.length).toBeGreaterThan(0);
    expect(
      (await uploadFile(t, member.cookie, { name: 'a.pdf', content: pdfWith('x') }, { ...fields, confirmPrivacy: 'true' }))
        .statusCode
    ).toBe(201);
    expect(
      (await call(t.app, 'POST', '/api/resources', { cookie: member.cookie, body: link({ description, confirmPrivacy: true }) }))
        .statusCode
    ).toBe(201);
    const ok = await call(t.app, 'POST', '/api/resources/check', {
      cookie: member.cookie,
      body: { title: 'A fine title', description: 'Nothing personal.', type: 'other', kind: 'file' }
    });
    expect(ok.json()).toEqual({ ok: true });
  });

  it('takes the share form as multipart fields: repeated or comma-separated lists, unknown fields refused', async () => {
    t = await makeResourceApp();
    const a = createTaskForce(t);
    const b = createTaskForce(t);
    const member = await signedMember(t, { taskForceId: a.id });
    const res = await uploadFile(
      t,
      member.cookie,
      { name: 'p.pdf', content: pdfWith('form') },
      {
        title: 'Shared with two task forces',
        description: '',
        type: 'policy',
        tags: 'mou, Interview',
        audience: 'restricted',
        taskForceIds: [String(a.id), String(b.id)],
        disciplines: 'prosecution,victim_services',
        originTaskForceId: ''
      }
    );
    expect(res.statusCode, res.body).toBe(201);
    const page = (await get(member, `/api/resources/${res.json().id}`)).json();
    expect(page.tags).toEqual(['interview', 'mou']);
    expect(page.audience.taskForces.map((x: { id: number }) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(page.audience.disciplines).toEqual(['prosecution', 'victim_services']);
    expect(page.originTaskForce).toBeNull();
    const unknown = await uploadFile(
      t,
      member.cookie,
      { name: 'p.pdf', content: pdfWith('form') },
      { ...{ title: 'Title here', type: 'other' }, role: 'admin' }
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/Unknown field "role"/);
    const twice = await uploadFile(
      t,
      member.cookie,
      { name: 'p.pdf', content: pdfWith('form') },
      { title: ['One', 'Two'], type: 'other' }
    );
    expect(twice.statusCode).toBe(400);
    const noTitle = await uploadFile(t, member.cookie, { name: 'p.pdf', content: pdfWith('form') }, { type: 'other' });
    expect(noTitle.statusCode).toBe(400);
    expect(noTitle.json().error.fields.title).toBeDefined();
  });
});

describe('editing, deleting, restoring', () => {
  it('the author and moderators edit; the comments thread keeps the title; others may not', async () => {
    t = await makeResourceApp();
    const author = await signedMember(t);
    const other = await signedMember(t);
    const moderator = await signedMember(t, { role: 'moderator' });
    const { id, threadId } = await share(author, { tags: ['old'] });
    const edit = await call(t.app, 'PATCH', `/api/resources/${id}`, {
      cookie: author.cookie,
      body: { title: 'Renamed toolkit', tags: ['new'], url: 'http://example.org/moved' }
    });
    expect(edit.statusCode, edit.body).toBe(200);
    const page = (await get(author, `/api/resources/${id}`)).json();
    expect(page).toMatchObject({
      title: 'Renamed toolkit',
      tags: ['new'],
      url: 'http://example.org/moved',
      description: 'Questions we ask at intake.'
    });
    expect((await get(author, `/api/discussions/threads/${threadId}`)).json().thread.title).toBe('Renamed toolkit');
    const refused = await call(t.app, 'PATCH', `/api/resources/${id}`, { cookie: other.cookie, body: { title: 'Mine now' } });
    expect(refused.statusCode).toBe(403);
    expect(
      (await call(t.app, 'PATCH', `/api/resources/${id}`, { cookie: moderator.cookie, body: { type: 'policy' } })).statusCode
    ).toBe(200);
    expect((await get(other, `/api/resources/${id}`)).json().can.edit).toBe(false);
  });

  it('a comment names the page it hangs on, so its links open the resource (an ordinary thread names none)', async () => {
    t = await makeResourceApp({ POST_INTERVAL_SECONDS: '0' });
    const author = await signedMember(t);
    const reader = await signedMember(t);
    const { id, threadId } = await share(author);
    const posted = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: reader.cookie,
      body: { body: 'A comment about the toolkit.' }
    });
    expect(posted.statusCode, posted.body).toBe(201);
    expect((await get(reader, `/api/discussions/threads/${threadId}`)).json().thread.home).toBe(`/resources/${id}`);
    expect((await get(reader, `/api/discussions/posts/${posted.json().postId}`)).json().thread.home).toBe(`/resources/${id}`);
    const admin = await signedMember(t, { role: 'admin' });
    const started = await startThread(t, reader, await makeCategory(t, admin));
    expect((await get(reader, `/api/discussions/threads/${started.threadId}`)).json().thread.home).toBeNull();
  });

  it('a deleted resource and its comments are gone for members; moderators see, list and restore it', async () => {
    t = await makeResourceApp({ POST_INTERVAL_SECONDS: '0' });
    const author = await signedMember(t);
    const reader = await signedMember(t);
    const moderator = await signedMember(t, { role: 'moderator' });
    const { id, threadId } = await share(author, { title: 'Soon deleted toolkit' });
    expect(
      (
        await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
          cookie: reader.cookie,
          body: { body: 'A comment about okapi.' }
        })
      ).statusCode
    ).toBe(201);
    expect((await call(t.app, 'POST', `/api/resources/${id}/delete`, { cookie: reader.cookie, body: {} })).statusCode).toBe(403);
    expect((await call(t.app, 'POST', `/api/resources/${id}/delete`, { cookie: author.cookie, body: {} })).statusCode).toBe(200);
    expect((await get(reader, `/api/resources/${id}`)).statusCode).toBe(404);
    expect((await get(author, `/api/resources/${id}`)).statusCode).toBe(404);
    expect(titles((await get(reader, '/api/resources')).json())).toEqual([]);
    expect((await get(reader, `/api/discussions/threads/${threadId}`)).statusCode).toBe(404);
    expect((await get(reader, '/api/search?q=okapi')).json().hits).toEqual([]);
    expect((await get(reader, '/api/resources?view=deleted')).statusCode).toBe(403);
    expect(titles((await get(moderator, '/api/resources?view=deleted')).json())).toEqual(['Soon deleted toolkit']);
    expect((await get(moderator, `/api/resources/${id}`)).json()).toMatchObject({
      deleted: true,
      can: { restore: true, edit: false }
    });
    expect(
      (await call(t.app, 'PATCH', `/api/resources/${id}`, { cookie: author.cookie, body: { title: 'Back?' } })).statusCode
    ).toBe(404);
    expect((await call(t.app, 'POST', `/api/resources/${id}/restore`, { cookie: moderator.cookie, body: {} })).statusCode).toBe(
      200
    );
    expect((await get(reader, `/api/resources/${id}`)).statusCode).toBe(200);
    expect((await get(reader, '/api/search?q=okapi')).json().hits).toHaveLength(1);
    expect((await call(t.app, 'POST', `/api/resources/${id}/restore`, { cookie: moderator.cookie, body: {} })).statusCode).toBe(
      409
    );
  });
});

describe('finding', () => {
  async function library() {
    t = await makeResourceApp();
    const a = createTaskForce(t);
    const prosecutor = await signedMember(t, { discipline: 'prosecution', taskForceId: a.id });
    const officer = await signedMember(t, { discipline: 'law_enforcement' });
    const day = 86_400_000;
    const ids: Record<string, number> = {};
    const add = async (who: Signed, title: string, over: Record<string, unknown>) => {
      ids[title] = (await share(who, { title, ...over })).id;
      t.clock.advance(60_000);
    };
    await add(prosecutor, 'Charging memo template', { type: 'template', tags: ['charging'], originTaskForceId: a.id });
    await add(officer, 'Interview protocol for minors', { type: 'protocol', tags: ['interview', 'minors'] });
    await add(officer, 'Victim services referral policy', {
      type: 'policy',
      tags: ['referral'],
      disciplines: ['law_enforcement', 'victim_services']
    });
    await add(prosecutor, 'Labor trafficking research brief', {
      type: 'research',
      tags: ['labor', 'interview'],
      description: 'Findings on the okapi method.'
    });
    await add(officer, 'Training deck on indicators', { type: 'training', tags: ['indicators'] });
    // Shared on five consecutive days (the sessions would not survive the clock moving days on).
    const order = Object.values(ids);
    order.forEach((id, i) =>
      t.db.$client
        .prepare('UPDATE resources SET created_at = ? WHERE id = ?')
        .run(t.clock.now() - (order.length - 1 - i) * day, id)
    );
    return { a, prosecutor, officer, ids, day };
  }

  it('filters by type, tag, task force of origin, discipline and dates, newest first', async () => {
    const { a, prosecutor, officer, day } = await library();
    const list = async (query: string) => titles((await get(officer, `/api/resources?${query}`)).json());
    expect(await list('')).toEqual([
      'Training deck on indicators',
      'Labor trafficking research brief',
      'Victim services referral policy',
      'Interview protocol for minors',
      'Charging memo template'
    ]);
    expect(await list('type=protocol')).toEqual(['Interview protocol for minors']);
    expect(await list('tag=Interview')).toEqual(['Labor trafficking research brief', 'Interview protocol for minors']);
    expect(await list(`taskForceId=${a.id}`)).toEqual(['Charging memo template']);
    // Discipline: the author's, or a private audience's.
    expect(await list('discipline=prosecution')).toEqual(['Labor trafficking research brief', 'Charging memo template']);
    expect(await list('discipline=victim_services')).toEqual(['Victim services referral policy']);
    const start = new Date(t.clock.now() - 4 * day).toISOString().slice(0, 10);
    const end = new Date(t.clock.now() - 3 * day).toISOString().slice(0, 10);
    expect(await list(`from=${start}&to=${end}`)).toEqual(['Interview protocol for minors', 'Charging memo template']);
    const bad = await get(officer, `/api/resources?from=${end}&to=${start}`);
    expect(bad.statusCode).toBe(400);
    expect((await get(officer, '/api/resources?from=2026-02-30')).statusCode).toBe(400);
    // The prosecutor (not law enforcement or victim services) does not see the private policy.
    expect((await get(prosecutor, '/api/resources')).json().resources).toHaveLength(4);
  });

  it('sorts by downloads and recommendations, with keyset pages that neither skip nor repeat', async () => {
    const { officer, prosecutor, ids } = await library();
    const recommend = (who: Signed, title: string, on = true) =>
      call(t.app, 'POST', `/api/resources/${ids[title]}/recommend`, { cookie: who.cookie, body: { recommended: on } });
    expect((await recommend(officer, 'Charging memo template')).json()).toEqual({ recommended: true, recommendCount: 1 });
    expect((await recommend(officer, 'Charging memo template')).json()).toEqual({ recommended: true, recommendCount: 1 });
    expect((await recommend(prosecutor, 'Charging memo template')).json().recommendCount).toBe(2);
    await recommend(prosecutor, 'Interview protocol for minors');
    await recommend(officer, 'Training deck on indicators');
    expect((await recommend(officer, 'Training deck on indicators', false)).json()).toEqual({
      recommended: false,
      recommendCount: 0
    });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const body: { resources: { title: string; recommendCount: number; recommended: boolean }[]; next: string | null } = (
        await get(officer, `/api/resources?sort=recommended&limit=2${after ? `&after=${after}` : ''}`)
      ).json();
      seen.push(...body.resources.map((r) => r.title));
      after = body.next;
    } while (after);
    expect(seen.slice(0, 2)).toEqual(['Charging memo template', 'Interview protocol for minors']);
    expect([...seen].sort()).toEqual(Object.keys(ids).sort());
    const first = (await get(officer, '/api/resources?sort=recommended&limit=1')).json().resources[0];
    expect(first).toMatchObject({ recommendCount: 2, recommended: true });
    const pages: string[] = [];
    after = null;
    do {
      const body: { resources: { title: string }[]; next: string | null } = (
        await get(officer, `/api/resources?sort=newest&limit=2${after ? `&after=${after}` : ''}`)
      ).json();
      pages.push(...titles(body));
      after = body.next;
    } while (after);
    expect(pages).toHaveLength(5);
    expect(new Set(pages).size).toBe(5);
    expect((await get(officer, '/api/resources?sort=downloads&after=12')).statusCode).toBe(400);
  });

  it('searches title, description and tags at once, with highlighted snippets', async () => {
    const { officer } = await library();
    const search = async (q: string) => (await get(officer, `/api/resources?q=${encodeURIComponent(q)}`)).json();
    expect(titles(await search('okapi'))).toEqual(['Labor trafficking research brief']);
    expect((await search('okapi')).resources[0].snippetHtml).toContain('<mark>okapi</mark>');
    expect(titles(await search('minors'))).toEqual(['Interview protocol for minors']);
    expect(titles(await search('indicators deck'))).toEqual(['Training deck on indicators']);
    expect(titles(await search('interv'))).toEqual(['Labor trafficking research brief', 'Interview protocol for minors']);
    expect(titles(await search('charging type'))).toEqual([]);
    expect((await get(officer, '/api/resources?q=%22%22')).statusCode).toBe(400);
    const sorted = (await get(officer, '/api/resources?q=interview&sort=recommended')).json();
    expect(sorted.resources).toHaveLength(2);
  });

  it('autocompletes tags with counts of what the reader may see; admins merge tags', async () => {
    const { officer, prosecutor } = await library();
    const admin = await signedMember(t, { role: 'admin' });
    expect((await get(officer, '/api/resources/tags?q=in')).json().tags).toEqual([
      { name: 'interview', count: 2 },
      { name: 'indicators', count: 1 }
    ]);
    // The referral policy is private to law enforcement and victim services.
    expect((await get(prosecutor, '/api/resources/tags?q=ref')).json().tags).toEqual([]);
    expect((await get(officer, '/api/resources/tags?q=ref')).json().tags).toEqual([{ name: 'referral', count: 1 }]);
    await call(t.app, 'POST', '/api/resources/watches', { cookie: officer.cookie, body: { tag: 'minors', watching: true } });
    const merge = await call(t.app, 'POST', '/api/admin/resource-tags/merge', {
      cookie: admin.cookie,
      body: { from: 'Minors', into: 'Interview' }
    });
    expect(merge.json()).toEqual({ merged: 1 });
    expect((await get(officer, '/api/resources/tags?q=')).json().tags.map((x: { name: string }) => x.name)).not.toContain(
      'minors'
    );
    expect(titles((await get(officer, '/api/resources?tag=interview')).json())).toHaveLength(2);
    expect(titles((await get(officer, '/api/resources?q=minors')).json())).toEqual(['Interview protocol for minors']);
    expect((await get(officer, '/api/resources/watches')).json()).toEqual({ tags: ['interview'], types: [] });
    expect((await get(admin, '/api/admin/resource-tags?q=int')).json().tags).toEqual([{ name: 'interview', count: 2 }]);
    const same = await call(t.app, 'POST', '/api/admin/resource-tags/merge', {
      cookie: admin.cookie,
      body: { from: 'labor', into: 'LABOR' }
    });
    expect(same.statusCode).toBe(400);
    const unknown = await call(t.app, 'POST', '/api/admin/resource-tags/merge', {
      cookie: admin.cookie,
      body: { from: 'nothing', into: 'labor' }
    });
    expect(unknown.statusCode).toBe(400);
    const audit = t.db.$client.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'resource_tags.merged'`).get() as {
      n: number;
    };
    expect(audit.n).toBe(1);
  });

  it('finds a file by the words inside it once extraction has run, and shows resources in the global search', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const pdf = await uploadFile(
      t,
      member.cookie,
      { name: 'a.pdf', content: pdfWith('The quokka interview method') },
      { title: 'Method notes', type: 'research' }
    );
    const docx = await uploadFile(
      t,
      member.cookie,
      { name: 'b.docx', content: docxWith('Memorandum with the axolotl clause') },
      { title: 'MOU draft', type: 'template' }
    );
    const broken = await uploadFile(
      t,
      member.cookie,
      { name: 'c.pdf', content: Buffer.from('%PDF-1.4\nthis is not really a pdf quokka\n') },
      { title: 'Broken scan', type: 'other' }
    );
    const text = await uploadFile(
      t,
      member.cookie,
      { name: 'd.csv', content: Buffer.from('county,capybara\n') },
      { title: 'County list', type: 'other' }
    );
    for (const r of [pdf, docx, broken, text]) expect(r.statusCode, r.body).toBe(201);
    expect(titles((await get(member, '/api/resources?q=quokka')).json())).toEqual([]);
    expect((await get(member, `/api/resources/${pdf.json().id}`)).json().extraction).toBe('pending');
    expect(await runExtraction(t.deps)).toEqual({ done: 3, failed: 1 });
    expect(titles((await get(member, '/api/resources?q=quokka')).json())).toEqual(['Method notes']);
    expect(titles((await get(member, '/api/resources?q=axolotl')).json())).toEqual(['MOU draft']);
    expect(titles((await get(member, '/api/resources?q=capybara')).json())).toEqual(['County list']);
    expect((await get(member, `/api/resources/${broken.json().id}`)).json().extraction).toBe('failed');
    expect(titles((await get(member, '/api/resources?q=broken')).json())).toEqual(['Broken scan']);
    const global = (await get(member, '/api/search?q=quokka')).json();
    expect(global.resources.map((r: { title: string }) => r.title)).toEqual(['Method notes']);
    expect(global.resources[0].snippetHtml).toContain('<mark>quokka</mark>');
    expect(global.hits).toEqual([]);
    expect((await get(member, '/api/search?q=quokka&page=2')).json().resources).toEqual([]);
    // A new version: searchable by its own words once read, no longer by the old ones.
    const v2 = await uploadFile(
      t,
      member.cookie,
      { name: 'a2.pdf', content: pdfWith('Now about the pangolin approach') },
      {},
      `/api/resources/${pdf.json().id}/versions`
    );
    expect(v2.statusCode).toBe(201);
    expect(titles((await get(member, '/api/resources?q=quokka')).json())).toEqual([]);
    await runExtraction(t.deps);
    expect(titles((await get(member, '/api/resources?q=pangolin')).json())).toEqual(['Method notes']);
  });
});

describe('talking about it', () => {
  it('comments live in the resource’s thread, whose category is never listed; the author hears of them', async () => {
    t = await makeResourceApp({ POST_INTERVAL_SECONDS: '0' });
    const author = await signedMember(t);
    const reader = await signedMember(t);
    const { threadId } = await share(author);
    const comment = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: reader.cookie,
      body: { body: `Thanks @[${author.name}](member:${author.id})!` }
    });
    expect(comment.statusCode).toBe(201);
    const thread = (await get(reader, `/api/discussions/threads/${threadId}`)).json();
    expect(thread.posts).toHaveLength(1);
    expect((await get(reader, '/api/discussions/categories')).json().categories).toEqual([]);
    const admin = await signedMember(t, { role: 'admin' });
    expect((await get(admin, '/api/admin/categories')).json().categories).toEqual([]);
    await t.deps.bus.idle();
    const kinds = (
      t.db.$client.prepare('SELECT kind FROM notifications WHERE member_id = ?').all(author.id) as { kind: string }[]
    ).map((r) => r.kind);
    expect(kinds).toContain('mention');
  });

  it('reports a broken link once per member, telling moderators and the author', async () => {
    t = await makeResourceApp();
    const author = await signedMember(t);
    const reader = await signedMember(t);
    const moderator = await signedMember(t, { role: 'moderator' });
    const { id } = await share(author);
    const report = () =>
      call(t.app, 'POST', `/api/resources/${id}/report-broken-link`, { cookie: reader.cookie, body: { note: 'Gives a 404.' } });
    expect((await report()).statusCode).toBe(201);
    expect((await report()).statusCode).toBe(201);
    await t.deps.bus.idle();
    expect(notifications(moderator.id, 'resource_broken_link')).toHaveLength(1);
    expect(notifications(author.id, 'resource_broken_link')).toHaveLength(1);
    expect(notifications(reader.id, 'resource_broken_link')).toHaveLength(0);
    expect((await get(author, `/api/resources/${id}`)).json().brokenLinkReports).toBe(1);
    expect((await get(reader, `/api/resources/${id}`)).json().brokenLinkReports).toBe(0);
    const listed = (await get(moderator, '/api/notifications')).json();
    expect(JSON.stringify(listed)).toContain(`/resources/${id}`);
    const file = await uploadFile(t, author.cookie, { name: 'a.pdf', content: pdfWith('x') });
    const onFile = await call(t.app, 'POST', `/api/resources/${file.json().id}/report-broken-link`, {
      cookie: reader.cookie,
      body: {}
    });
    expect(onFile.statusCode).toBe(400);
  });

  it('tells members watching a tag or a type, once each, and not the sharer', async () => {
    t = await makeResourceApp();
    const tagWatcher = await signedMember(t);
    const typeWatcher = await signedMember(t);
    const both = await signedMember(t);
    const sharer = await signedMember(t);
    const watch = (who: Signed, body: Record<string, unknown>) =>
      call(t.app, 'POST', '/api/resources/watches', { cookie: who.cookie, body });
    expect((await watch(tagWatcher, { tag: 'Labor', watching: true })).json()).toEqual({ tags: ['labor'], types: [] });
    await watch(typeWatcher, { type: 'toolkit', watching: true });
    await watch(both, { tag: 'labor', watching: true });
    await watch(both, { type: 'toolkit', watching: true });
    await watch(sharer, { tag: 'labor', watching: true });
    expect((await watch(both, { tag: 'x', type: 'policy', watching: true })).statusCode).toBe(400);
    await share(sharer, { tags: ['labor'], title: 'Labor toolkit' });
    await t.deps.bus.idle();
    for (const who of [tagWatcher, typeWatcher, both]) expect(notifications(who.id, 'resource_shared'), who.name).toHaveLength(1);
    expect(notifications(sharer.id, 'resource_shared')).toHaveLength(0);
    const data = JSON.parse(notifications(tagWatcher.id, 'resource_shared')[0]!.data);
    expect(data).toMatchObject({
      resourceTitle: 'Labor toolkit',
      watched: { kind: 'tag', value: 'labor' },
      actor: { id: sharer.id }
    });
    const listed = (await get(typeWatcher, '/api/notifications')).json();
    expect(JSON.stringify(listed)).toMatch(/shared “Labor toolkit” \(type: Toolkit\)/);
    await watch(tagWatcher, { tag: 'labor', watching: false });
    await share(sharer, { tags: ['labor'], title: 'Second labor toolkit', type: 'policy' });
    await t.deps.bus.idle();
    expect(notifications(tagWatcher.id, 'resource_shared')).toHaveLength(1);
  });
});

describe('GET requests', () => {
  it('change nothing, except that a download is counted and audited', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const { id, versionId } = (await uploadFile(t, member.cookie, { name: 'a.pdf', content: pdfWith('crawl') })).json();
    await share(member);
    const snapshot = () =>
      Object.fromEntries(
        (
          t.db.$client
            .prepare(
              `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'resource_search%' AND name NOT LIKE 'post_search%' AND name <> 'sqlite_sequence'`
            )
            .all() as { name: string }[]
        ).map(({ name }) => [name, JSON.stringify(t.db.$client.prepare(`SELECT * FROM "${name}"`).all())])
      );
    const before = snapshot();
    for (const url of [
      '/api/resources',
      `/api/resources/${id}`,
      '/api/resources/tags?q=',
      '/api/resources/watches',
      '/api/resources?q=crawl'
    ]) {
      expect((await get(member, url)).statusCode, url).toBe(200);
    }
    expect(snapshot()).toEqual(before);
    await get(member, `/api/resources/versions/${versionId}/download`);
    const after = snapshot();
    const changed = Object.keys(before).filter((name) => before[name] !== after[name]);
    expect(changed.sort()).toEqual(['audit_log', 'resources']);
  });
});
