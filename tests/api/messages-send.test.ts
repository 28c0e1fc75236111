import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { memberRow } from '../support/factories.ts';
import { getAs, messagesApp, pair, postAs, replyIn, sendTo } from '../support/messages.ts';
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

const count = (sql: string, params: unknown[] = []) => (t.db.$client.prepare(sql).get(...params) as { n: number }).n;

describe('POST /api/messages', () => {
  it('creates one conversation per pair, whoever writes first, and reuses it', async () => {
    const first = await sendTo(t, a, b, 'Hello from **Avery**.');
    const back = await sendTo(t, b, a, 'Hello back.');
    const again = await sendTo(t, a, b, 'One more.');
    expect(back.conversationId).toBe(first.conversationId);
    expect(again.conversationId).toBe(first.conversationId);
    expect(new Set([first.messageId, back.messageId, again.messageId]).size).toBe(3);
    expect(count('SELECT count(*) AS n FROM conversations')).toBe(1);
    expect(count('SELECT count(*) AS n FROM conversation_members WHERE conversation_id = ?', [first.conversationId])).toBe(2);
  });

  it('two first messages at once still make one conversation', async () => {
    const [x, y] = await Promise.all([
      postAs(t, a, '/api/messages', { to: b.id, body: 'At the same moment (A).' }),
      postAs(t, b, '/api/messages', { to: a.id, body: 'At the same moment (B).' })
    ]);
    expect([x.statusCode, y.statusCode]).toEqual([201, 201]);
    expect(x.json().conversationId).toBe(y.json().conversationId);
    expect(count('SELECT count(*) AS n FROM conversations')).toBe(1);
  });

  it('renders Markdown and sanitizes it on save', async () => {
    const { messageId } = await sendTo(t, a, b, 'See **this** <script>alert(1)</script> [link](javascript:alert(1))');
    const html = (await getAs(t, b, `/api/messages/${messageId}`)).json().message.html as string;
    expect(html).toContain('<strong>this</strong>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it('refuses yourself (400), an unknown member (404), an inactive one (409), and empty or long bodies (400)', async () => {
    const self = await postAs(t, a, '/api/messages', { to: a.id, body: 'Note to self' });
    expect(self.statusCode).toBe(400);
    expect(self.json().error.message).toMatch(/yourself/);
    expect(self.json().error.fields.to).toBeTruthy();

    const unknown = await postAs(t, a, '/api/messages', { to: 999_999, body: 'Anyone there?' });
    expect(unknown.statusCode).toBe(404);

    for (const status of ['suspended', 'expired', 'disabled', 'pending'] as const) {
      const other = await signedMember(t, { status });
      const res = await postAs(t, a, '/api/messages', { to: other.id, body: 'Hello?' });
      expect(res.statusCode, status).toBe(409);
      expect(res.json().error.message).toMatch(/cannot receive messages/);
    }
    const unactivated = await signedMember(t, { noticeAccepted: false });
    expect((await postAs(t, a, '/api/messages', { to: unactivated.id, body: 'Hello?' })).statusCode).toBe(409);

    const blank = await postAs(t, a, '/api/messages', { to: b.id, body: '   \n ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.fields.body).toBeTruthy();
    const long = await postAs(t, a, '/api/messages', { to: b.id, body: 'x'.repeat(10_001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toMatch(/10,000/);
    expect((await postAs(t, a, '/api/messages', { to: b.id, body: 'x'.repeat(10_000) })).statusCode).toBe(201);
    expect((await postAs(t, a, '/api/messages', { to: b.id, body: 'Hi', extra: 1 })).statusCode).toBe(400);
  });

  it('a suspended or pending sender cannot send', async () => {
    const suspended = await signedMember(t);
    t.db.$client.prepare("UPDATE members SET status = 'suspended' WHERE id = ?").run(suspended.id);
    expect((await postAs(t, suspended, '/api/messages', { to: b.id, body: 'Hi' })).statusCode).toBeGreaterThanOrEqual(401);
    expect((await call(t.app, 'POST', '/api/messages', { body: { to: b.id, body: 'Hi' } })).statusCode).toBe(401);
  });

  it('asks about identifying details exactly as posts do, and saves once confirmed', async () => {
    const body = 'Her SSN is 123-45-6789, can you check it?';
    const asked = await postAs(t, a, '/api/messages', { to: b.id, body });
    expect(asked.statusCode).toBe(422);
    expect(asked.json().error.code).toBe('privacy_check');
    expect(asked.json().error.findings.map((f: { kind: string }) => f.kind)).toContain('ssn');
    expect(count('SELECT count(*) AS n FROM messages')).toBe(0);
    const saved = await postAs(t, a, '/api/messages', { to: b.id, body, confirmPrivacy: true });
    expect(saved.statusCode).toBe(201);
  });

  it('limits sending per minute and per day with a clear 429', async () => {
    await t.close();
    t = await messagesApp({ MESSAGES_PER_MINUTE: '3', MESSAGES_PER_DAY: '5' });
    [a, b] = await pair(t);
    for (let i = 0; i < 3; i++) await sendTo(t, a, b, `Message ${i}`);
    const fast = await postAs(t, a, '/api/messages', { to: b.id, body: 'Too fast' });
    expect(fast.statusCode).toBe(429);
    expect(fast.json().error.message).toMatch(/too quickly/);
    expect(Number(fast.headers['retry-after'])).toBeGreaterThan(0);
    // A refused body does not count against the limit.
    expect((await postAs(t, b, '/api/messages', { to: a.id, body: ' ' })).statusCode).toBe(400);
    t.clock.advance(MINUTE + 1);
    await sendTo(t, a, b, 'Four');
    await sendTo(t, a, b, 'Five');
    t.clock.advance(MINUTE + 1);
    const daily = await postAs(t, a, '/api/messages', { to: b.id, body: 'Six' });
    expect(daily.statusCode).toBe(429);
    expect(daily.json().error.message).toMatch(/5 messages in the last 24 hours/);
    // The other member is not limited by A's sending.
    await sendTo(t, b, a, 'Still fine');
  });
});

describe('POST /api/messages/conversations/:id', () => {
  it('replies in the conversation; outsiders and moderators get 404', async () => {
    const { conversationId } = await sendTo(t, a, b);
    const reply = await replyIn(t, b, conversationId, 'Replying here.');
    expect(reply.conversationId).toBe(conversationId);
    for (const role of ['member', 'moderator', 'admin'] as const) {
      const outsider = await signedMember(t, { role });
      const res = await postAs(t, outsider, `/api/messages/conversations/${conversationId}`, { body: 'Let me in' });
      expect(res.statusCode, role).toBe(404);
    }
    expect((await postAs(t, a, '/api/messages/conversations/999999', { body: 'Nobody' })).statusCode).toBe(404);
  });

  it('says so when the other member can no longer receive messages', async () => {
    const { conversationId } = await sendTo(t, a, b);
    t.db.$client.prepare("UPDATE members SET status = 'suspended' WHERE id = ?").run(b.id);
    const res = await postAs(t, a, `/api/messages/conversations/${conversationId}`, { body: 'Are you there?' });
    expect(res.statusCode).toBe(409);
    expect(memberRow(t, b.id).status).toBe('suspended');
    const page = (await getAs(t, a, `/api/messages/conversations/${conversationId}`)).json();
    expect(page.conversation.canSend).toBe(false);
  });
});

describe('GET /api/messages/to/:memberId', () => {
  it('names the member for the new-message page and finds an existing conversation', async () => {
    const before = (await getAs(t, a, `/api/messages/to/${b.id}`)).json();
    expect(before).toMatchObject({
      member: { id: b.id, displayName: 'Blake Prosecutor' },
      conversationId: null,
      canMessage: true
    });
    const { conversationId } = await sendTo(t, a, b);
    expect((await getAs(t, a, `/api/messages/to/${b.id}`)).json().conversationId).toBe(conversationId);
    const self = (await getAs(t, a, `/api/messages/to/${a.id}`)).json();
    expect(self).toMatchObject({ canMessage: false, reason: expect.stringMatching(/yourself/) });
    const gone = await signedMember(t, { status: 'disabled' });
    expect((await getAs(t, a, `/api/messages/to/${gone.id}`)).statusCode).toBe(404);
    expect((await getAs(t, a, '/api/messages/to/999999')).statusCode).toBe(404);
  });
});
