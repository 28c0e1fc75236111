import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveFile } from '../../server/ops/auditArchive.ts';
import { runRetention } from '../../server/ops/retention.ts';
import { DAY, HOUR } from '../../server/shared/clock.ts';
import { call, type TestApp } from '../support/app.ts';
import { discussionsApp, makeCategory, replyTo, signedMember, startThread } from '../support/discussions.ts';
import { pdfWith } from '../support/fileFixtures.ts';
import { makeResourceApp, namedKeys, storeContents, uploadFile } from '../support/resources.ts';
import { createTaskForce, sessionCookie } from '../support/factories.ts';

let t: TestApp | null = null;
const temps: string[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tfc-retention-'));
  temps.push(dataDir);
  t = await discussionsApp({ DATA_DIR: dataDir, ...env });
  return t;
}

const count = (t: TestApp, sql: string, ...params: unknown[]) => (t.db.$client.prepare(sql).get(...params) as { n: number }).n;

function insertAudit(t: TestApp, at: number, action: string): number {
  return Number(
    t.db.$client
      .prepare(
        "INSERT INTO audit_log (at, action, outcome, ip, user_agent, detail) VALUES (?, ?, 'success', '127.0.0.1', 'vitest', ?)"
      )
      .run(at, action, JSON.stringify({ note: action })).lastInsertRowid
  );
}

const archivedIds = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: number }).id);

describe('retention', () => {
  it('purges expired sessions, sign-in challenges and old used or expired tokens', async () => {
    const t = await app();
    const member = await signedMember(t);
    const now = t.clock.now();
    const db = t.db.$client;
    db.prepare("INSERT INTO sessions (id, member_id, created_at, last_seen_at, expires_at) VALUES ('dead', ?, ?, ?, ?)").run(
      member.id,
      now - 2 * DAY,
      now - 2 * DAY,
      now - DAY
    );
    db.prepare("INSERT INTO sign_in_challenges (id, member_id, expires_at) VALUES ('old', ?, ?)").run(member.id, now - 1);
    const token = db.prepare(
      "INSERT INTO tokens (id, purpose, member_id, expires_at, used_at, created_at) VALUES (?, 'password_reset', ?, ?, ?, ?)"
    );
    token.run('used-long-ago', member.id, now + DAY, now - 8 * DAY, now - 9 * DAY);
    token.run('expired-long-ago', member.id, now - 8 * DAY, null, now - 9 * DAY);
    token.run('used-yesterday', member.id, now + DAY, now - DAY, now - DAY);
    token.run('fresh', member.id, now + HOUR, null, now);

    const report = runRetention(t.deps);
    expect(report.sessions).toBe(1);
    expect(report.signInChallenges).toBe(1);
    expect(report.tokens).toBe(2);
    expect((db.prepare('SELECT id FROM tokens ORDER BY id').all() as { id: string }[]).map((r) => r.id)).toEqual([
      'fresh',
      'used-yesterday'
    ]);
    // The member's live session is untouched.
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).statusCode).toBe(200);
    expect(runRetention(t.deps).tokens).toBe(0);
  });

  it('prunes notifications after 90 days', async () => {
    const t = await app();
    const member = await signedMember(t);
    const now = t.clock.now();
    const insert = t.db.$client.prepare(
      "INSERT INTO notifications (member_id, kind, data, created_at) VALUES (?, 'reply', '{}', ?)"
    );
    insert.run(member.id, now - 120 * DAY);
    insert.run(member.id, now - 91 * DAY);
    insert.run(member.id, now - 89 * DAY);
    insert.run(member.id, now);
    expect(runRetention(t.deps).notifications).toBe(2);
    expect(count(t, 'SELECT count(*) AS n FROM notifications')).toBe(2);
    t.clock.advance(2 * DAY);
    expect(runRetention(t.deps).notifications).toBe(1);
  });

  it('blanks the text of direct messages deleted over 30 days ago, once, and keeps the rest', async () => {
    const t = await app();
    const a = await signedMember(t);
    const b = await signedMember(t);
    const now = t.clock.now();
    const sqlite = t.db.$client;
    const conversation = Number(
      sqlite
        .prepare('INSERT INTO conversations (member_low, member_high, created_at) VALUES (?, ?, ?)')
        .run(Math.min(a.id, b.id), Math.max(a.id, b.id), now - 60 * DAY).lastInsertRowid
    );
    const insert = sqlite.prepare(
      `INSERT INTO messages (conversation_id, sender_id, body, body_html, body_text, created_at, deleted_at)
       VALUES (?, ?, 'secret words', '<p>secret words</p>', 'secret words', ?, ?)`
    );
    const old = Number(insert.run(conversation, a.id, now - 60 * DAY, now - 31 * DAY).lastInsertRowid);
    const recent = Number(insert.run(conversation, a.id, now - 60 * DAY, now - 29 * DAY).lastInsertRowid);
    const kept = Number(insert.run(conversation, b.id, now - 60 * DAY, null).lastInsertRowid);
    expect(runRetention(t.deps).messages).toBe(1);
    const text = (id: number) =>
      sqlite
        .prepare('SELECT body, body_html AS html, body_text AS plain, purged_at AS purgedAt FROM messages WHERE id = ?')
        .get(id);
    expect(text(old)).toEqual({ body: '', html: '', plain: '', purgedAt: now });
    expect(text(recent)).toMatchObject({ body: 'secret words', purgedAt: null });
    expect(text(kept)).toMatchObject({ body: 'secret words', purgedAt: null });
    expect(runRetention(t.deps).messages).toBe(0);
    t.clock.advance(2 * DAY);
    expect(runRetention(t.deps).messages).toBe(1);
    expect(text(kept)).toMatchObject({ body: 'secret words', purgedAt: null });
  });

  it('archives audit rows past AUDIT_RETENTION_DAYS to a yearly file before deleting them, once', async () => {
    const t = await app({ AUDIT_RETENTION_DAYS: '365' });
    const now = t.clock.now();
    const oldest = insertAudit(t, now - 800 * DAY, 'auth.sign_in');
    const old = insertAudit(t, now - 400 * DAY, 'member.suspended');
    const kept = insertAudit(t, now - 300 * DAY, 'auth.sign_in');

    // Nothing else may delete: the append-only trigger still refuses.
    expect(() => t.db.$client.prepare('DELETE FROM audit_log WHERE id = ?').run(kept)).toThrow(/append-only/);
    expect(() => t.db.$client.prepare('UPDATE audit_log SET action = ? WHERE id = ?').run('x', kept)).toThrow(/append-only/);

    const report = runRetention(t.deps);
    expect(report.audit).toEqual({ archived: 2, deleted: 2 });
    const ids = (t.db.$client.prepare('SELECT id FROM audit_log ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(ids).not.toContain(oldest);
    expect(ids).not.toContain(old);
    expect(ids).toContain(kept);
    const yearOf = (ms: number) => new Date(ms).getUTCFullYear();
    const files = [...new Set([yearOf(now - 800 * DAY), yearOf(now - 400 * DAY)])].map((y) =>
      archiveFile(t.deps.config.dataDir, y)
    );
    expect(files.flatMap(archivedIds).sort((a, b) => a - b)).toEqual([oldest, old]);
    const line = JSON.parse(
      readFileSync(files[files.length - 1]!, 'utf8')
        .trim()
        .split('\n')
        .pop()!
    );
    expect(line).toMatchObject({ id: old, action: 'member.suspended', detail: { note: 'member.suspended' }, ip: '127.0.0.1' });

    // A permit is gone after the archiver's transaction: deleting is refused again.
    expect(() => t.db.$client.prepare('DELETE FROM audit_log WHERE id = ?').run(kept)).toThrow(/append-only/);
    expect(count(t, 'SELECT count(*) AS n FROM audit_archive_permit')).toBe(0);
    expect(runRetention(t.deps).audit).toEqual({ archived: 0, deleted: 0 });
  });

  it('does not archive a row twice after a crash between the append and the delete', async () => {
    const t = await app();
    const now = t.clock.now();
    const at = now - 500 * DAY;
    const first = insertAudit(t, at, 'auth.sign_in');
    const second = insertAudit(t, at + 1, 'auth.sign_out');
    // As if the previous run appended the first row (and crashed mid-line on the second) before deleting.
    const file = archiveFile(t.deps.config.dataDir, new Date(at).getUTCFullYear());
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ id: first, action: 'auth.sign_in' }) + '\n{"id":' + second + ',"act');
    const report = runRetention(t.deps);
    expect(report.audit.deleted).toBe(2);
    expect(report.audit.archived).toBe(1);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const parsed = lines.flatMap((l) => {
      try {
        return [(JSON.parse(l) as { id: number }).id];
      } catch {
        return [];
      }
    });
    expect(parsed).toEqual([first, second]);
  });

  it('refuses an AUDIT_RETENTION_DAYS below 365', async () => {
    await expect(app({ AUDIT_RETENTION_DAYS: '364' })).rejects.toThrow(/AUDIT_RETENTION_DAYS/);
  });

  it('purges threads and posts 30 days after deletion, with everything that names them', async () => {
    const t = await app();
    const admin = await signedMember(t, { role: 'admin' });
    const moderator = await signedMember(t, { role: 'moderator' });
    const author = await signedMember(t);
    const reader = await signedMember(t);
    const category = await makeCategory(t, admin);
    const a = await startThread(t, author, category, { title: 'Interview rooms for survivors' });
    const gone = await replyTo(t, author, a.threadId, 'A reply that its author will delete.');
    const quoting = await replyTo(t, reader, a.threadId, 'Quoting the reply above.', { quotePostId: gone.postId });
    await call(t.app, 'PATCH', `/api/discussions/posts/${gone.postId}`, {
      cookie: author.cookie,
      body: { body: 'Edited once.' }
    });
    await call(t.app, 'POST', `/api/discussions/posts/${gone.postId}/reactions`, {
      cookie: reader.cookie,
      body: { kind: 'thanks' }
    });
    await call(t.app, 'POST', `/api/discussions/posts/${gone.postId}/bookmark`, {
      cookie: reader.cookie,
      body: { bookmarked: true }
    });
    await call(t.app, 'POST', `/api/discussions/posts/${gone.postId}/flag`, {
      cookie: reader.cookie,
      body: { reason: 'off_topic', note: 'Not about practice.' }
    });
    const b = await startThread(t, author, category, { title: 'A thread a moderator will delete' });
    const bReply = await replyTo(t, reader, b.threadId, 'A reply in the deleted thread.');
    await call(t.app, 'POST', `/api/discussions/posts/${b.postId}/reactions`, {
      cookie: reader.cookie,
      body: { kind: 'helpful' }
    });
    await call(t.app, 'POST', `/api/discussions/threads/${b.threadId}/read`, { cookie: reader.cookie, body: { number: 2 } });
    await call(t.app, 'POST', `/api/discussions/threads/${b.threadId}/notification-level`, {
      cookie: reader.cookie,
      body: { level: 'watching' }
    });
    await call(t.app, 'PUT', `/api/discussions/threads/${b.threadId}/draft`, {
      cookie: reader.cookie,
      body: { body: 'Half a reply' }
    });
    await t.deps.bus.idle();
    expect(count(t, 'SELECT count(*) AS n FROM notifications WHERE thread_id = ?', b.threadId)).toBeGreaterThan(0);

    const del = await call(t.app, 'POST', `/api/discussions/posts/${gone.postId}/delete`, { cookie: author.cookie, body: {} });
    expect(del.statusCode, del.body).toBe(200);
    const delThread = await call(t.app, 'POST', `/api/discussions/threads/${b.threadId}/delete`, {
      cookie: moderator.cookie,
      body: {}
    });
    expect(delThread.statusCode, delThread.body).toBe(200);
    // A newer post, so the deleted ones are not the newest id (ids are max + 1).
    const later = await replyTo(t, reader, a.threadId, 'A later reply that stays.');

    t.clock.advance(29 * DAY);
    expect(runRetention(t.deps).discussions).toEqual({ threads: 0, posts: 0 });
    t.clock.advance(2 * DAY);
    expect(runRetention(t.deps).discussions).toEqual({ threads: 1, posts: 3 });

    const purged = [gone.postId, b.postId, bReply.postId];
    const ids = JSON.stringify(purged);
    const named = (table: string, column = 'post_id') =>
      count(t, `SELECT count(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`, ids);
    expect(named('posts', 'id')).toBe(0);
    expect(named('post_revisions')).toBe(0);
    expect(named('post_reactions')).toBe(0);
    expect(named('bookmarks')).toBe(0);
    expect(named('post_flags')).toBe(0);
    expect(named('post_search', 'rowid')).toBe(0);
    expect(named('posts', 'quote_post_id')).toBe(0);
    expect(count(t, 'SELECT count(*) AS n FROM threads WHERE id = ?', b.threadId)).toBe(0);
    for (const table of ['thread_reads', 'thread_subscriptions', 'notifications']) {
      expect(count(t, `SELECT count(*) AS n FROM ${table} WHERE thread_id = ?`, b.threadId), table).toBe(0);
    }
    expect(count(t, "SELECT count(*) AS n FROM drafts WHERE kind = 'thread' AND target_id = ?", b.threadId)).toBe(0);
    expect(
      count(t, 'SELECT count(*) AS n FROM notifications WHERE thread_id = ? AND post_number = ?', a.threadId, gone.number)
    ).toBe(0);
    expect(t.db.$client.pragma('foreign_key_check')).toEqual([]);
    expect(t.db.$client.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(count(t, "SELECT count(*) AS n FROM audit_log WHERE action = 'retention.purged'")).toBe(2);

    // What stays reads as before: the thread page skips the purged number, the quote has nothing to point at.
    reader.cookie = sessionCookie(t, reader.id);
    const page = await call(t.app, 'GET', `/api/discussions/threads/${a.threadId}`, { cookie: reader.cookie });
    expect(page.statusCode).toBe(200);
    const posts = page.json().posts as { id: number; quote: unknown }[];
    expect(posts.map((p) => p.id)).toEqual([a.postId, quoting.postId, later.postId]);
    expect(posts.find((p) => p.id === quoting.postId)!.quote).toBeNull();
    const search = await call(t.app, 'GET', '/api/search?q=reply', { cookie: reader.cookie });
    expect(search.statusCode).toBe(200);
    expect(JSON.stringify(search.json())).not.toContain('author will delete');
    expect(runRetention(t.deps).discussions).toEqual({ threads: 0, posts: 0 });
  });

  it('keeps a deleted post while it is the newest post, so its id is never handed out again', async () => {
    const t = await app();
    const admin = await signedMember(t, { role: 'admin' });
    const author = await signedMember(t);
    const category = await makeCategory(t, admin);
    const { threadId } = await startThread(t, author, category);
    const newest = await replyTo(t, author, threadId, 'The newest post, deleted.');
    await call(t.app, 'POST', `/api/discussions/posts/${newest.postId}/delete`, { cookie: author.cookie, body: {} });
    t.clock.advance(31 * DAY);
    expect(runRetention(t.deps).discussions.posts).toBe(0);
    author.cookie = sessionCookie(t, author.id);
    await replyTo(t, author, threadId, 'A newer post.');
    expect(runRetention(t.deps).discussions.posts).toBe(1);
    expect(existsSync(t.deps.config.dataDir)).toBe(true);
  });

  it('purges a deleted resource 30 days on: its rows, comments, private category and the files no other version names', async () => {
    const r = await makeResourceApp({ POST_INTERVAL_SECONDS: '0' });
    t = r;
    const tf = createTaskForce(r);
    const author = await signedMember(r, { taskForceId: tf.id });
    const reader = await signedMember(r, { taskForceId: tf.id });
    const share = (title: string, content: Buffer) =>
      uploadFile(
        r,
        author.cookie,
        { name: 'protocol.pdf', content },
        {
          title,
          description: 'How we run interviews.',
          type: 'protocol',
          tags: 'interviews',
          audience: 'restricted',
          taskForceIds: String(tf.id)
        }
      );
    const doomed = await share('A protocol that will be deleted', pdfWith('only in the deleted resource'));
    expect(doomed.statusCode, doomed.body).toBe(201);
    const { id, threadId } = doomed.json() as { id: number; threadId: number };
    // The same bytes in a resource that stays: that stored file must stay too.
    const sharedBytes = pdfWith('in both resources');
    expect(
      (await uploadFile(r, author.cookie, { name: 'v2.pdf', content: sharedBytes }, {}, `/api/resources/${id}/versions`))
        .statusCode
    ).toBe(201);
    const kept = await share('A protocol that stays', sharedBytes);
    expect(kept.statusCode, kept.body).toBe(201);
    await replyTo(r, reader, threadId, 'A comment on the deleted resource.');
    await call(r.app, 'POST', `/api/resources/${id}/recommend`, { cookie: reader.cookie, body: { recommended: true } });
    const categoryId = (r.db.$client.prepare('SELECT category_id AS c FROM resources WHERE id = ?').get(id) as { c: number }).c;
    expect((await storeContents(r)).keys).toHaveLength(2);

    const del = await call(r.app, 'POST', `/api/resources/${id}/delete`, { cookie: author.cookie, body: {} });
    expect(del.statusCode, del.body).toBe(200);
    // Someone posts elsewhere afterwards, so the comment is not the newest post.
    const { threadId: other } = await startThread(r, author, await makeCategory(r, await signedMember(r, { role: 'admin' })));
    expect(other).toBeGreaterThan(0);
    r.clock.advance(31 * DAY);
    const report = runRetention(r.deps);
    expect(report.resources).toEqual({ resources: 1, files: 1 });
    for (const table of ['resource_versions', 'resource_tags', 'resource_recommendations', 'resource_link_reports']) {
      expect(count(r, `SELECT count(*) AS n FROM ${table} WHERE resource_id = ?`, id), table).toBe(0);
    }
    expect(count(r, 'SELECT count(*) AS n FROM resources WHERE id = ?', id)).toBe(0);
    expect(count(r, 'SELECT count(*) AS n FROM resource_search WHERE rowid = ?', id)).toBe(0);
    expect(count(r, 'SELECT count(*) AS n FROM threads WHERE id = ?', threadId)).toBe(0);
    expect(count(r, 'SELECT count(*) AS n FROM posts WHERE thread_id = ?', threadId)).toBe(0);
    expect(count(r, 'SELECT count(*) AS n FROM categories WHERE id = ?', categoryId)).toBe(0);
    expect(r.db.$client.pragma('foreign_key_check')).toEqual([]);
    // On disk: exactly the files a version still names.
    expect((await storeContents(r)).keys).toEqual(namedKeys(r));
    expect(namedKeys(r)).toHaveLength(1);
    expect(runRetention(r.deps).resources).toEqual({ resources: 0, files: 0 });
  });
});
