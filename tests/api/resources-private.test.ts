import { afterEach, describe, expect, it } from 'vitest';
import { DISCIPLINES, ROLES, type Discipline, type MemberStatus, type Role } from '../../db/schema/index.ts';
import type { Actor } from '../../server/policies/actor.ts';
import { readerParams } from '../../server/policies/discussions.ts';
import { canReadResource, memberReadsResourceSql, READABLE_RESOURCE_SQL } from '../../server/policies/resources.ts';
import { loadResource } from '../../server/modules/resources/access.ts';
import { runExtraction } from '../../server/modules/resources/extraction.ts';
import { call } from '../support/app.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { createMember, createTaskForce } from '../support/factories.ts';
import { pdfWith } from '../support/fileFixtures.ts';
import { makeResourceApp, uploadFile } from '../support/resources.ts';

let t: Awaited<ReturnType<typeof makeResourceApp>>;
afterEach(async () => {
  await t?.close();
});

const get = (who: Signed, url: string) => call(t.app, 'GET', url, { cookie: who.cookie });

describe('a private resource, from outside its audience', () => {
  it('cannot be found, opened, downloaded, searched, counted or commented on through any door', async () => {
    t = await makeResourceApp({ POST_INTERVAL_SECONDS: '0' });
    const a = createTaskForce(t);
    const b = createTaskForce(t);
    const insider = await signedMember(t, { taskForceId: a.id, discipline: 'law_enforcement' });
    const colleague = await signedMember(t, { taskForceId: a.id, discipline: 'other' });
    const outsider = await signedMember(t, { taskForceId: b.id, discipline: 'victim_services' });
    const watcher = await signedMember(t, { taskForceId: b.id });
    await call(t.app, 'POST', '/api/resources/watches', {
      cookie: watcher.cookie,
      body: { tag: 'zanzibar-tag', watching: true }
    });
    await call(t.app, 'POST', '/api/resources/watches', {
      cookie: colleague.cookie,
      body: { tag: 'zanzibar-tag', watching: true }
    });
    const shared = await uploadFile(
      t,
      insider.cookie,
      { name: 'secret.pdf', content: pdfWith('The quokka safe-house list') },
      {
        title: 'Zanzibar operations protocol',
        description: 'About the zanzibar approach.',
        type: 'protocol',
        tags: 'zanzibar-tag',
        audience: 'restricted',
        taskForceIds: String(a.id)
      }
    );
    expect(shared.statusCode, shared.body).toBe(201);
    const { id, threadId, versionId } = shared.json();
    await uploadFile(
      t,
      insider.cookie,
      { name: 'secret-2.pdf', content: pdfWith('second quokka') },
      {},
      `/api/resources/${id}/versions`
    );
    await runExtraction(t.deps);
    const comment = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: colleague.cookie,
      body: { body: 'The wombat detail matters.' }
    });
    expect(comment.statusCode).toBe(201);
    const postId = comment.json().postId;
    await t.deps.bus.idle();

    // The insiders see everything.
    expect((await get(colleague, '/api/resources?q=quokka')).json().resources).toHaveLength(1);
    expect((await get(colleague, '/api/search?q=wombat')).json().hits).toHaveLength(1);
    expect((await get(colleague, `/api/resources/${id}/download`)).statusCode).toBe(200);

    const doors: [
      string,
      () => Promise<{ statusCode: number; body: string }>,
      (res: { statusCode: number; body: string }) => boolean
    ][] = [
      ['list', () => get(outsider, '/api/resources'), (r) => JSON.parse(r.body).resources.length === 0],
      ['list by tag', () => get(outsider, '/api/resources?tag=zanzibar-tag'), (r) => JSON.parse(r.body).resources.length === 0],
      [
        'list by task force',
        () => get(outsider, `/api/resources?taskForceId=${a.id}`),
        (r) => JSON.parse(r.body).resources.length === 0
      ],
      ['search by title', () => get(outsider, '/api/resources?q=zanzibar'), (r) => JSON.parse(r.body).resources.length === 0],
      ['search by file text', () => get(outsider, '/api/resources?q=quokka'), (r) => JSON.parse(r.body).resources.length === 0],
      ['sorted lists', () => get(outsider, '/api/resources?sort=downloads'), (r) => JSON.parse(r.body).resources.length === 0],
      [
        'tag autocomplete (and its counts)',
        () => get(outsider, '/api/resources/tags?q=zan'),
        (r) => JSON.parse(r.body).tags.length === 0
      ],
      ['global search', () => get(outsider, '/api/search?q=zanzibar'), (r) => JSON.parse(r.body).resources.length === 0],
      ['global search of comments', () => get(outsider, '/api/search?q=wombat'), (r) => JSON.parse(r.body).hits.length === 0],
      ['page', () => get(outsider, `/api/resources/${id}`), (r) => r.statusCode === 404],
      ['download', () => get(outsider, `/api/resources/${id}/download`), (r) => r.statusCode === 404],
      ['old version', () => get(outsider, `/api/resources/versions/${versionId}/download`), (r) => r.statusCode === 404],
      [
        'current version by id',
        () => get(outsider, `/api/resources/versions/${versionId + 1}/download`),
        (r) => r.statusCode === 404
      ],
      ['comments thread', () => get(outsider, `/api/discussions/threads/${threadId}`), (r) => r.statusCode === 404],
      ['a comment', () => get(outsider, `/api/discussions/posts/${postId}`), (r) => r.statusCode === 404],
      [
        'commenting',
        () =>
          call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
            cookie: outsider.cookie,
            body: { body: 'Let me in' }
          }),
        (r) => r.statusCode === 404
      ],
      [
        'a new version',
        () => uploadFile(t, outsider.cookie, { name: 'x.pdf', content: pdfWith('x') }, {}, `/api/resources/${id}/versions`),
        (r) => r.statusCode === 404
      ],
      [
        'editing',
        () => call(t.app, 'PATCH', `/api/resources/${id}`, { cookie: outsider.cookie, body: { title: 'Mine' } }),
        (r) => r.statusCode === 404
      ],
      [
        'deleting',
        () => call(t.app, 'POST', `/api/resources/${id}/delete`, { cookie: outsider.cookie, body: {} }),
        (r) => r.statusCode === 404
      ],
      [
        'recommending',
        () => call(t.app, 'POST', `/api/resources/${id}/recommend`, { cookie: outsider.cookie, body: { recommended: true } }),
        (r) => r.statusCode === 404
      ],
      [
        'reporting',
        () => call(t.app, 'POST', `/api/resources/${id}/report-broken-link`, { cookie: outsider.cookie, body: {} }),
        (r) => r.statusCode === 404
      ],
      ['categories', () => get(outsider, '/api/discussions/categories'), (r) => JSON.parse(r.body).categories.length === 0],
      ['notifications', () => get(watcher, '/api/notifications'), (r) => !r.body.includes('Zanzibar')]
    ];
    const leaks: string[] = [];
    for (const [door, open, closed] of doors) {
      const res = await open();
      // (The search reply echoes the query itself: that is not a leak.)
      const shown = res.body.replace(/"query":"[^"]*"/, '');
      if (!closed(res) || /zanzibar|quokka|wombat/i.test(shown))
        leaks.push(`${door}: ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    expect(leaks).toEqual([]);
    // The 404 is the same words as for a resource that does not exist.
    expect((await get(outsider, `/api/resources/${id}`)).json()).toEqual((await get(outsider, '/api/resources/99999')).json());
    // Watchers inside the audience were told; the one outside was not.
    const told = (m: Signed) =>
      (
        t.db.$client
          .prepare(`SELECT count(*) AS n FROM notifications WHERE member_id = ? AND kind = 'resource_shared'`)
          .get(m.id) as { n: number }
      ).n;
    expect([told(colleague), told(watcher)]).toEqual([1, 0]);
  });

  it('follows its audience when it changes: the comments move with it, and the old private category goes', async () => {
    t = await makeResourceApp({ POST_INTERVAL_SECONDS: '0' });
    const a = createTaskForce(t);
    const insider = await signedMember(t, { taskForceId: a.id });
    const outsider = await signedMember(t, { discipline: 'prosecution' });
    const res = await call(t.app, 'POST', '/api/resources', {
      cookie: insider.cookie,
      body: { title: 'Moving audience toolkit', type: 'toolkit', url: 'https://example.org/m', taskForceIds: [a.id] }
    });
    const { id, threadId } = res.json();
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: insider.cookie,
      body: { body: 'Comment on the narwhal.' }
    });
    const categoryOf = () =>
      (t.db.$client.prepare('SELECT category_id AS c FROM threads WHERE id = ?').get(threadId) as { c: number }).c;
    const privateCategory = categoryOf();
    expect((await get(outsider, `/api/discussions/threads/${threadId}`)).statusCode).toBe(404);

    const patch = (body: Record<string, unknown>) =>
      call(t.app, 'PATCH', `/api/resources/${id}`, { cookie: insider.cookie, body });
    expect((await patch({ audience: 'all' })).statusCode).toBe(200);
    expect((await get(outsider, `/api/resources/${id}`)).statusCode).toBe(200);
    expect((await get(outsider, `/api/discussions/threads/${threadId}`)).json().posts).toHaveLength(1);
    expect((await get(outsider, '/api/search?q=narwhal')).json().hits).toHaveLength(1);
    expect(categoryOf()).not.toBe(privateCategory);
    expect(t.db.$client.prepare('SELECT 1 FROM categories WHERE id = ?').get(privateCategory)).toBeUndefined();

    expect((await patch({ audience: 'restricted', taskForceIds: [a.id], disciplines: ['victim_services'] })).statusCode).toBe(
      200
    );
    expect((await get(outsider, `/api/resources/${id}`)).statusCode).toBe(404);
    expect((await get(outsider, `/api/discussions/threads/${threadId}`)).statusCode).toBe(404);
    expect((await get(outsider, '/api/search?q=narwhal')).json().hits).toHaveLength(0);
    // Widening a private audience keeps its category and rewrites its rows.
    const second = categoryOf();
    expect((await patch({ disciplines: ['prosecution'], taskForceIds: [a.id] })).statusCode).toBe(200);
    expect(categoryOf()).toBe(second);
    expect((await get(outsider, `/api/resources/${id}`)).json().audience.disciplines).toEqual(['prosecution']);
  });
});

describe('the read rule, in its three shapes', () => {
  it('canReadResource, READABLE_RESOURCE_SQL and memberReadsResourceSql agree for every kind of member and resource', async () => {
    t = await makeResourceApp();
    const a = createTaskForce(t);
    const b = createTaskForce(t);
    const admin = await signedMember(t, { role: 'admin' });
    const make = async (body: Record<string, unknown>) => {
      const res = await call(t.app, 'POST', '/api/resources', {
        cookie: admin.cookie,
        body: { title: `Rule check ${JSON.stringify(body)}`.slice(0, 150), type: 'other', url: 'https://example.org/r', ...body }
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as number;
    };
    const resources = [
      await make({}),
      await make({ taskForceIds: [a.id] }),
      await make({ disciplines: ['prosecution'] }),
      await make({ taskForceIds: [b.id], disciplines: ['victim_services', 'other'] }),
      await make({ taskForceIds: [a.id, b.id] })
    ];
    const deleted = await make({ taskForceIds: [a.id] });
    expect((await call(t.app, 'POST', `/api/resources/${deleted}/delete`, { cookie: admin.cookie, body: {} })).statusCode).toBe(
      200
    );
    resources.push(deleted, await make({}));
    expect(
      (await call(t.app, 'POST', `/api/resources/${resources[6]}/delete`, { cookie: admin.cookie, body: {} })).statusCode
    ).toBe(200);

    const statuses: MemberStatus[] = ['active', 'suspended', 'pending'];
    const checked: string[] = [];
    const disagreements: string[] = [];
    for (const role of ROLES as readonly Role[]) {
      for (const taskForceId of [null, a.id, b.id]) {
        for (const discipline of DISCIPLINES as readonly Discipline[]) {
          for (const status of statuses) {
            const member = await createMember(t, {
              role,
              taskForceId,
              discipline,
              status,
              mfa: false,
              noticeAccepted: status !== 'pending'
            });
            const actor: Actor = {
              id: member.id,
              email: member.email,
              name: member.name,
              role,
              status,
              taskForceId,
              discipline,
              onboarding: status === 'pending' ? 'notice' : null,
              mfaEnabled: false,
              sessionId: 'x'
            };
            const listed = new Set(
              (
                t.db.$client.prepare(`SELECT r.id FROM resources r WHERE ${READABLE_RESOURCE_SQL}`).all(readerParams(actor)) as {
                  id: number;
                }[]
              ).map((r) => r.id)
            );
            for (const resourceId of resources) {
              const loaded = loadResource(t.db, resourceId)!;
              const js = canReadResource(actor, loaded.state);
              const sql = listed.has(resourceId);
              const memberSql =
                t.db.$client
                  .prepare(`SELECT 1 FROM members m WHERE m.id = @memberId AND ${memberReadsResourceSql('m')}`)
                  .get({ memberId: member.id, categoryId: loaded.resource.categoryId }) !== undefined;
              // The member-row shape is for notifications, which are only ever about live resources.
              const live = loaded.resource.deletedAt === null;
              checked.push(`${role}/${taskForceId}/${discipline}/${status}/${resourceId}`);
              if (js !== sql || (live && js !== memberSql)) {
                disagreements.push(
                  `${role} tf=${taskForceId} ${discipline} ${status} resource ${resourceId}: js=${js} sql=${sql} member=${memberSql}`
                );
              }
            }
          }
        }
      }
    }
    expect(checked.length).toBe(ROLES.length * 3 * DISCIPLINES.length * statuses.length * resources.length);
    expect(disagreements).toEqual([]);
  }, 60_000);
});
