import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { getAs, messagesApp, pair, postAs, replyIn, sendTo } from '../support/messages.ts';
import { runNotificationMailJob } from '../../server/modules/notifications/mail.ts';
import { MINUTE } from '../../server/shared/clock.ts';

let t: TestApp;
let a: Signed;
let b: Signed;
let moderator: Signed;
beforeEach(async () => {
  t = await messagesApp();
  [a, b] = await pair(t);
  moderator = await signedMember(t, { role: 'moderator', name: 'Morgan Moderator' });
});
afterEach(async () => {
  await t.close();
});

const audits = (action: string) =>
  t.db.$client
    .prepare('SELECT actor_id AS actorId, target_id AS targetId, detail FROM audit_log WHERE action = ?')
    .all(action) as {
    actorId: number;
    targetId: string;
    detail: string;
  }[];

/** A conversation of four messages (A, B, A, B), the last one from B to flag as A. */
async function conversation() {
  const { conversationId } = await sendTo(t, b, a, 'First from B.');
  await replyIn(t, a, conversationId, 'Second from A.');
  await replyIn(t, b, conversationId, 'Third from B.');
  await replyIn(t, a, conversationId, 'Fourth from A.');
  const res = await postAs(t, b, `/api/messages/conversations/${conversationId}`, {
    body: 'The girl is Jane Roe, SSN 123-45-6789.',
    confirmPrivacy: true
  });
  expect(res.statusCode).toBe(201);
  return { conversationId, messageId: res.json().messageId as number };
}

const flag = (who: Signed, messageId: number, body: unknown) => postAs(t, who, `/api/messages/${messageId}/flag`, body);
const view = async (who: Signed, messageId: number) => (await getAs(t, who, `/api/messages/${messageId}`)).json().message;

describe('flagging a message', () => {
  it('a PII flag hides it at once for both members; the rules on who may flag what hold', async () => {
    const { messageId } = await conversation();
    expect((await flag(b, messageId, { reason: 'pii' })).statusCode).toBe(400);
    expect((await flag(a, messageId, { reason: 'other' })).json().error.fields.note).toBeTruthy();
    const res = await flag(a, messageId, { reason: 'pii', note: 'Names a victim.' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ hidden: true });
    for (const who of [a, b]) {
      const m = await view(who, messageId);
      expect(m).toMatchObject({ state: 'hidden', html: null, notice: expect.stringMatching(/hidden while a moderator reviews/) });
      expect(JSON.stringify(m)).not.toContain('Jane Roe');
    }
    expect((await view(a, messageId)).canFlag).toBe(false);
    expect((await flag(a, messageId, { reason: 'harassment' })).statusCode).toBe(409);
    expect(audits('message.flagged')).toHaveLength(1);
    expect(audits('message.hidden_pending_review')).toHaveLength(1);
    expect((await flag(a, 999_999, { reason: 'pii' })).statusCode).toBe(404);
  });

  it('other reasons keep the message visible; a deleted message cannot be flagged', async () => {
    const { messageId } = await conversation();
    expect((await flag(a, messageId, { reason: 'harassment' })).json()).toMatchObject({ hidden: false });
    expect((await view(b, messageId)).state).toBe('visible');
    const other = await sendTo(t, b, a, 'I will take this back.');
    await postAs(t, b, `/api/messages/${other.messageId}/delete`);
    expect((await flag(a, other.messageId, { reason: 'inappropriate' })).statusCode).toBe(409);
    expect((await postAs(t, b, `/api/messages/${other.messageId}/delete`)).statusCode).toBe(409);
    expect((await postAs(t, a, `/api/messages/${messageId}/delete`)).statusCode).toBe(403);
  });
});

describe('the message-flag queue', () => {
  it('is for moderators only, shows the message with the 3 before it, and audits every view', async () => {
    const { messageId, conversationId } = await conversation();
    await flag(a, messageId, { reason: 'pii', note: 'Names a victim.' });
    for (const role of ['member', 'coordinator', 'editor'] as const) {
      const other = await signedMember(t, { role });
      expect((await getAs(t, other, '/api/moderation/messages')).statusCode, role).toBe(403);
    }
    const queue = (await getAs(t, moderator, '/api/moderation/messages')).json();
    expect(queue.items).toHaveLength(1);
    const [item] = queue.items;
    expect(item.message).toMatchObject({
      id: messageId,
      conversationId,
      author: { id: b.id, name: 'Blake Prosecutor' },
      recipient: { id: a.id, name: 'Avery Investigator' },
      state: 'hidden',
      hiddenReason: 'pii_flag'
    });
    expect(item.message.html).toContain('Jane Roe');
    expect(item.context.map((c: { html: string }) => c.html)).toEqual([
      '<p>Second from A.</p>',
      '<p>Third from B.</p>',
      '<p>Fourth from A.</p>'
    ]);
    expect(item.flags).toEqual([
      expect.objectContaining({ reason: 'pii', note: 'Names a victim.', flagger: { id: a.id, name: 'Avery Investigator' } })
    ]);
    const viewed = audits('message.viewed_by_moderator');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]).toMatchObject({ actorId: moderator.id, targetId: String(messageId) });
    expect(JSON.parse(viewed[0]!.detail).contextIds).toHaveLength(3);
    // Still not through the members' door.
    expect((await getAs(t, moderator, `/api/messages/conversations/${conversationId}`)).statusCode).toBe(404);
  });
});

describe('moderators decide', () => {
  const decide = (flagId: number, body: unknown) => postAs(t, moderator, `/api/moderation/message-flags/${flagId}`, body);

  it('dismiss shows a PII-hidden message again and tells only the flagger', async () => {
    const { messageId } = await conversation();
    const { flagId } = (await flag(a, messageId, { reason: 'pii' })).json();
    const res = await decide(flagId, { outcome: 'dismiss', note: 'No victim named.' });
    expect(res.statusCode).toBe(200);
    expect((await view(b, messageId)).state).toBe('visible');
    expect((await decide(flagId, { outcome: 'hide' })).statusCode).toBe(409);
    await t.deps.bus.idle();
    const aNotes = (await getAs(t, a, '/api/notifications')).json().notifications;
    expect(aNotes.find((n: { kind: string }) => n.kind === 'message_moderation')).toMatchObject({
      text: 'Your flag on a message was reviewed: no action was needed'
    });
    const bNotes = (await getAs(t, b, '/api/notifications')).json().notifications;
    expect(bNotes.some((n: { kind: string }) => n.kind === 'message_moderation')).toBe(false);
    expect(audits('message_moderation.dismissed')).toHaveLength(1);
    expect((await getAs(t, moderator, '/api/moderation/messages')).json().items).toEqual([]);
  });

  it('hide, delete and warn act, resolve every open flag, and notify', async () => {
    const { messageId, conversationId } = await conversation();
    const { flagId } = (await flag(a, messageId, { reason: 'harassment' })).json();
    expect((await decide(flagId, { outcome: 'warn' })).statusCode).toBe(400);
    expect((await decide(flagId, { outcome: 'warn', message: 'Please keep names out of messages.' })).statusCode).toBe(200);
    await t.deps.bus.idle();
    const warned = (await getAs(t, b, '/api/notifications')).json().notifications[0];
    expect(warned).toMatchObject({
      kind: 'message_moderation',
      message: 'Please keep names out of messages.',
      url: `/messages/${conversationId}`
    });

    const second = (await flag(a, messageId, { reason: 'inappropriate' })).json();
    expect((await decide(second.flagId, { outcome: 'hide' })).statusCode).toBe(200);
    expect((await view(a, messageId)).notice).toMatch(/moderator hid/);

    const other = await replyIn(t, b, conversationId, 'Another one.');
    const third = (await flag(a, other.messageId, { reason: 'inappropriate' })).json();
    expect((await decide(third.flagId, { outcome: 'delete' })).statusCode).toBe(200);
    expect(await view(a, other.messageId)).toMatchObject({
      state: 'deleted',
      html: null,
      notice: 'A moderator removed this message.'
    });
    expect(audits('message_moderation.deleted')).toHaveLength(1);
    expect((await postAs(t, a, '/api/moderation/message-flags/999999', { outcome: 'hide' })).statusCode).toBe(403);
    expect((await decide(999_999, { outcome: 'hide' })).statusCode).toBe(404);
  });

  it('purge removes the text for good: every table, the pages, the inbox and the pending e-mail', async () => {
    const { messageId, conversationId } = await conversation();
    await t.deps.bus.idle();
    const { flagId } = (await flag(a, messageId, { reason: 'pii', note: 'It says Jane Roe.' })).json();
    expect((await decide(flagId, { outcome: 'purge' })).statusCode).toBe(200);
    await t.deps.bus.idle();
    const tables = t.db.$client
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    for (const { name } of tables) {
      const rows = JSON.stringify(t.db.$client.prepare(`SELECT * FROM "${name}"`).all());
      expect(rows, name).not.toContain('Jane Roe');
      expect(rows, name).not.toContain('123-45-6789');
    }
    for (const who of [a, b]) {
      expect(await view(who, messageId)).toMatchObject({
        state: 'deleted',
        html: null,
        notice: 'A moderator removed this message.'
      });
      const page = JSON.stringify((await getAs(t, who, `/api/messages/conversations/${conversationId}`)).json());
      const inbox = JSON.stringify((await getAs(t, who, '/api/messages/conversations')).json());
      expect(page + inbox).not.toContain('Jane Roe');
    }
    t.clock.advance(11 * MINUTE);
    await runNotificationMailJob(t.deps);
    const mails = JSON.stringify(t.mails());
    expect(mails).not.toContain('Jane Roe');
    expect(mails).toContain('removed text that may identify a victim');
    expect(audits('message.purged')).toHaveLength(1);
  });
});
