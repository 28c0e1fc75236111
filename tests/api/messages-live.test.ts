import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { getAs, pair, postAs, replyIn, sendTo } from '../support/messages.ts';
import { LiveClient, listeningApp, settle } from './realtime-helpers.ts';

let t: TestApp;
let url: string;
let a: Signed;
let b: Signed;
const clients: LiveClient[] = [];
beforeEach(async () => {
  ({ t, url } = await listeningApp());
  [a, b] = await pair(t);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.close();
});

async function connect(who: Signed): Promise<LiveClient> {
  const client = await LiveClient.connect(url, { cookie: who.cookie });
  clients.push(client);
  await client.next('hello');
  return client;
}

describe('live direct messages over the socket', () => {
  it('pushes a new message to the recipient and the sender’s other tabs, with the unread badge; the fetch goes through the API', async () => {
    const bTab = await connect(b);
    const aOtherTab = await connect(a);
    const outsider = await signedMember(t, { role: 'moderator' });
    const outsiderTab = await connect(outsider);

    const { conversationId, messageId } = await sendTo(t, a, b, 'Are you free to talk about the Hobbs case?');
    const created = await bTab.next('message.created');
    expect(created).toEqual({ type: 'message.created', conversation: conversationId, messageId, from: a.id });
    expect(await bTab.next('messages.unread')).toEqual({ type: 'messages.unread', count: 1 });
    expect(await aOtherTab.next('message.created')).toMatchObject({ messageId, from: a.id });
    // The push carries ids only; the text comes from the API, under the policy.
    expect(JSON.stringify(bTab.messages)).not.toContain('Hobbs');
    const fetched = (await getAs(t, b, `/api/messages/${messageId}`)).json().message;
    expect(fetched.html).toContain('Hobbs');
    // And the grouped notification arrives too.
    expect((await bTab.next('notification')).notification).toMatchObject({
      kind: 'direct_message',
      url: `/messages/${conversationId}`
    });

    await settle(t);
    expect(outsiderTab.of('message.created')).toEqual([]);
    expect(outsiderTab.of('messages.unread')).toEqual([]);
    expect(aOtherTab.of('messages.unread')).toEqual([]);
  });

  it('reading in one tab updates the badge in the others; hiding and deleting push message.changed to both', async () => {
    const bTab = await connect(b);
    const aTab = await connect(a);
    const { conversationId, messageId } = await sendTo(t, a, b, 'First.');
    await bTab.next('messages.unread', (m) => m.count === 1);
    const second = await replyIn(t, a, conversationId, 'Second.');
    await bTab.next('messages.unread', (m) => m.count === 2);

    await postAs(t, b, `/api/messages/conversations/${conversationId}/read`, { upTo: second.messageId });
    await bTab.next('messages.unread', (m) => m.count === 0);

    await postAs(t, b, `/api/messages/${messageId}/flag`, { reason: 'pii' });
    for (const tab of [aTab, bTab]) {
      expect(await tab.next('message.changed', (m) => m.messageId === messageId)).toEqual({
        type: 'message.changed',
        conversation: conversationId,
        messageId
      });
    }
    await postAs(t, a, `/api/messages/${second.messageId}/delete`);
    await bTab.next('message.changed', (m) => m.messageId === second.messageId);
  });

  it('tells the moderators’ room when the message-flag queue changes', async () => {
    const moderator = await signedMember(t, { role: 'moderator' });
    const modTab = await connect(moderator);
    const { messageId } = await sendTo(t, a, b, 'Something unkind.');
    await postAs(t, b, `/api/messages/${messageId}/flag`, { reason: 'harassment' });
    await modTab.next('flags.changed');
    expect(modTab.of('message.created')).toEqual([]);
  });
});
