import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { getAs, messagesApp, pair, postAs, replyIn, sendTo, unreadOf } from '../support/messages.ts';
import { runNotificationMailJob } from '../../server/modules/notifications/mail.ts';
import { MINUTE } from '../../server/shared/clock.ts';

let t: TestApp;
let a: Signed;
let b: Signed;
beforeEach(async () => {
  t = await messagesApp();
  [a, b] = await pair(t);
});
afterEach(async () => {
  await t.close();
});

const stored = (sql: string, params: unknown[] = []) => t.db.$client.prepare(sql).get(...params) as Record<string, number>;
const unreadRow = (conversationId: number, memberId: number) =>
  stored('SELECT unread_count AS n FROM conversation_members WHERE conversation_id = ? AND member_id = ?', [
    conversationId,
    memberId
  ]).n;
/** The unread count by its definition, to hold the stored counter to. */
const unreadTruth = (conversationId: number, memberId: number) =>
  stored(
    `SELECT count(*) AS n FROM messages m JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.member_id = ?
     WHERE m.conversation_id = ? AND m.sender_id <> ? AND m.id > cm.last_read_message_id AND m.deleted_at IS NULL`,
    [memberId, conversationId, memberId]
  ).n;

describe('GET /api/messages/conversations (inbox)', () => {
  it('lists my conversations newest activity first, in keyset pages, with the other member, excerpt and unread count', async () => {
    const others: Signed[] = [];
    for (let i = 0; i < 3; i++) {
      const other = await signedMember(t, { name: `Casey Other ${i}` });
      others.push(other);
      await sendTo(t, other, a, `Message **number** ${i} from Casey.`);
      t.clock.advance(MINUTE);
    }
    const { conversationId: withB } = await sendTo(t, a, b, 'Mine, sent last.');
    const first = (await getAs(t, a, '/api/messages/conversations?limit=2')).json();
    expect(first.conversations.map((c: { id: number }) => c.id)[0]).toBe(withB);
    expect(first.conversations[0]).toMatchObject({
      other: { id: b.id, displayName: 'Blake Prosecutor', photoUrl: null },
      last: { excerpt: 'Mine, sent last.', fromMe: true },
      unreadCount: 0
    });
    expect(first.conversations[1]).toMatchObject({
      other: { id: others[2]!.id, displayName: 'Casey Other 2' },
      last: { excerpt: 'Message number 2 from Casey.', fromMe: false },
      unreadCount: 1
    });
    expect(first.unreadTotal).toBe(3);
    const second = (await getAs(t, a, `/api/messages/conversations?limit=2&after=${first.next}`)).json();
    expect(second.conversations.map((c: { other: { id: number } }) => c.other.id)).toEqual([others[1]!.id, others[0]!.id]);
    expect(second.next).toBeNull();
    // B sees only the conversation with A; an outsider sees none.
    expect((await getAs(t, b, '/api/messages/conversations')).json().conversations).toHaveLength(1);
    const outsider = await signedMember(t, { role: 'admin' });
    expect((await getAs(t, outsider, '/api/messages/conversations')).json().conversations).toEqual([]);
    expect((await getAs(t, a, '/api/messages/conversations?after=bogus')).statusCode).toBe(400);
  });

  it('names the other member as their profile allows (never the hidden name)', async () => {
    const hidden = await signedMember(t, { name: 'Undercover Name' });
    t.db.$client
      .prepare(
        "INSERT INTO member_profiles (member_id, name_visibility, photo_visibility, updated_at) VALUES (?, 'staff', 'staff', ?)"
      )
      .run(hidden.id, t.clock.now());
    const { conversationId } = await sendTo(t, hidden, a, 'Hello from someone careful.');
    const inbox = JSON.stringify((await getAs(t, a, '/api/messages/conversations')).json());
    const page = JSON.stringify((await getAs(t, a, `/api/messages/conversations/${conversationId}`)).json());
    const to = JSON.stringify((await getAs(t, a, `/api/messages/to/${hidden.id}`)).json());
    await t.deps.bus.idle();
    const notes = JSON.stringify((await getAs(t, a, '/api/notifications')).json());
    for (const body of [inbox, page, to, notes]) {
      expect(body).not.toContain('Undercover Name');
      expect(body).toContain('A member of Example Police Department');
    }
    // The member sees their own name.
    expect(JSON.stringify((await getAs(t, hidden, `/api/messages/to/${a.id}`)).json())).toContain('Avery Investigator');
  });

  it('hides the excerpt of a deleted last message', async () => {
    const { messageId } = await sendTo(t, a, b, 'Oops, wrong person.');
    expect((await postAs(t, a, `/api/messages/${messageId}/delete`)).statusCode).toBe(200);
    const [row] = (await getAs(t, b, '/api/messages/conversations')).json().conversations;
    expect(row.last).toMatchObject({ excerpt: null, fromMe: false });
    expect(JSON.stringify(row)).not.toContain('wrong person');
  });
});

describe('GET /api/messages/conversations/:id', () => {
  it('pages oldest to newest, older pages with ?before; only the two members may open it (404 to moderators too)', async () => {
    const { conversationId } = await sendTo(t, a, b, 'Message 0');
    for (let i = 1; i < 5; i++)
      await (i % 2 ? replyIn(t, b, conversationId, `Message ${i}`) : replyIn(t, a, conversationId, `Message ${i}`));
    const page = (await getAs(t, a, `/api/messages/conversations/${conversationId}?limit=3`)).json();
    expect(page.messages.map((m: { html: string }) => m.html)).toEqual([
      '<p>Message 2</p>',
      '<p>Message 3</p>',
      '<p>Message 4</p>'
    ]);
    expect(page.messages[0]).toMatchObject({ fromMe: true, state: 'visible', canDelete: true, canFlag: false, notice: null });
    expect(page.messages[1]).toMatchObject({ fromMe: false, canDelete: false, canFlag: true });
    expect(page.conversation).toMatchObject({ id: conversationId, other: { id: b.id }, canSend: true });
    const older = (await getAs(t, a, `/api/messages/conversations/${conversationId}?limit=3&before=${page.before}`)).json();
    expect(older.messages.map((m: { html: string }) => m.html)).toEqual(['<p>Message 0</p>', '<p>Message 1</p>']);
    expect(older.before).toBeNull();
    for (const role of ['member', 'coordinator', 'moderator', 'editor', 'admin'] as const) {
      const outsider = await signedMember(t, { role });
      expect((await getAs(t, outsider, `/api/messages/conversations/${conversationId}`)).statusCode, role).toBe(404);
      expect((await getAs(t, outsider, `/api/messages/${page.messages[0].id}`)).statusCode, role).toBe(404);
      expect((await postAs(t, outsider, `/api/messages/conversations/${conversationId}/read`, { upTo: 1 })).statusCode).toBe(404);
      expect((await postAs(t, outsider, `/api/messages/${page.messages[0].id}/delete`)).statusCode).toBe(404);
      expect((await postAs(t, outsider, `/api/messages/${page.messages[1].id}/flag`, { reason: 'pii' })).statusCode).toBe(404);
    }
  });
});

describe('unread counts', () => {
  it('stay exact through sends, replies, deletes and reads, interleaved', async () => {
    const { conversationId } = await sendTo(t, a, b, 'One');
    // Many writes in the same turn share one group commit.
    await Promise.all([
      postAs(t, a, `/api/messages/conversations/${conversationId}`, { body: 'Two' }),
      postAs(t, a, `/api/messages/conversations/${conversationId}`, { body: 'Three' }),
      postAs(t, b, `/api/messages/conversations/${conversationId}/read`, { upTo: 1 }),
      postAs(t, a, `/api/messages/conversations/${conversationId}`, { body: 'Four' })
    ]);
    for (const m of [a, b]) expect(unreadRow(conversationId, m.id)).toBe(unreadTruth(conversationId, m.id));
    expect(await unreadOf(t, b)).toBe(unreadTruth(conversationId, b.id));
    expect(await unreadOf(t, a)).toBe(0);

    const page = (await getAs(t, b, `/api/messages/conversations/${conversationId}`)).json();
    const ids = page.messages.map((m: { id: number }) => m.id) as number[];
    const read = (await postAs(t, b, `/api/messages/conversations/${conversationId}/read`, { upTo: ids[1] })).json();
    expect(read.unreadCount).toBe(unreadTruth(conversationId, b.id));
    expect(read.unreadCount).toBe(2);
    // A takes one back before B reads it: B's count drops.
    await postAs(t, a, `/api/messages/${ids[3]}/delete`);
    expect(await unreadOf(t, b)).toBe(1);
    // Reading never moves backwards, and a mark past the end stops at the last message.
    await postAs(t, b, `/api/messages/conversations/${conversationId}/read`, { upTo: 1 });
    expect(await unreadOf(t, b)).toBe(1);
    const all = (await postAs(t, b, `/api/messages/conversations/${conversationId}/read`, { upTo: 2_000_000 })).json();
    expect(all).toEqual({ unreadCount: 0, unreadTotal: 0 });
    await replyIn(t, a, conversationId, 'Five');
    expect(await unreadOf(t, b)).toBe(1);
    // Replying reads the conversation for the one who replies.
    await replyIn(t, b, conversationId, 'Six');
    expect(await unreadOf(t, b)).toBe(0);
    expect(await unreadOf(t, a)).toBe(1);
    for (const m of [a, b]) expect(unreadRow(conversationId, m.id)).toBe(unreadTruth(conversationId, m.id));
  });

  it('sums over conversations in GET /api/notifications/unread-count', async () => {
    const c = await signedMember(t);
    await sendTo(t, b, a, 'From B');
    await sendTo(t, c, a, 'From C');
    await sendTo(t, c, a, 'From C again');
    const res = (await getAs(t, a, '/api/notifications/unread-count')).json();
    expect(res).toMatchObject({ messages: 3, unreadCount: expect.any(Number), lastId: expect.any(Number) });
  });
});

describe('notifications and e-mail', () => {
  it('groups per conversation, never carries the text, and is read with the conversation', async () => {
    const { conversationId } = await sendTo(t, a, b, 'Secret detail: the safe house is on Elm.');
    await replyIn(t, a, conversationId, 'And another secret detail.');
    await replyIn(t, a, conversationId, 'Third secret detail.');
    await t.deps.bus.idle();
    const list = (await getAs(t, b, '/api/notifications')).json();
    const dms = list.notifications.filter((n: { kind: string }) => n.kind === 'direct_message');
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatchObject({
      text: 'Avery Investigator sent you 3 messages',
      url: `/messages/${conversationId}`,
      excerpt: null
    });
    expect(JSON.stringify(list)).not.toMatch(/secret/i);
    expect(JSON.stringify(t.db.$client.prepare('SELECT data FROM notifications').all())).not.toMatch(/secret/i);

    const page = (await getAs(t, b, `/api/messages/conversations/${conversationId}`)).json();
    const last = page.messages.at(-1).id;
    await postAs(t, b, `/api/messages/conversations/${conversationId}/read`, { upTo: last });
    const after = (await getAs(t, b, '/api/notifications')).json();
    expect(after.notifications.find((n: { kind: string }) => n.kind === 'direct_message').readAt).not.toBeNull();
    // Read within 10 minutes: no e-mail.
    t.clock.advance(11 * MINUTE);
    await runNotificationMailJob(t.deps);
    expect(t.mails().filter((m) => m.to === b.email)).toEqual([]);
  });

  it('e-mails an unread message after 10 minutes with who and a link only', async () => {
    const sent = await postAs(t, a, '/api/messages', {
      to: b.id,
      body: 'Secret: victim lives at 12 Elm Street.',
      confirmPrivacy: true
    });
    expect(sent.statusCode).toBe(201);
    const { conversationId } = sent.json();
    await t.deps.bus.idle();
    t.clock.advance(11 * MINUTE);
    await runNotificationMailJob(t.deps);
    const mails = t.mails().filter((m) => m.to === b.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Avery Investigator sent you a message');
    expect(mails[0]!.text).toContain(`/messages/${conversationId}`);
    expect(mails[0]!.subject + mails[0]!.text).not.toMatch(/secret|elm/i);
  });
});
