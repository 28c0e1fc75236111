import { expect } from 'vitest';
import { call, makeApp, type TestApp } from './app.ts';
import { signedMember, type Signed } from './discussions.ts';
import type { MemberOptions } from './factories.ts';
import { ensureConversation, insertMessage } from '../../server/modules/messages/store.ts';

/** An app for direct-message tests: generous send limits unless a test sets its own. */
export function messagesApp(env: Record<string, string> = {}): Promise<TestApp> {
  return makeApp({ env: { POST_INTERVAL_SECONDS: '0', MESSAGES_PER_MINUTE: '1000', MESSAGES_PER_DAY: '10000', ...env } });
}

export const getAs = (t: TestApp, who: Signed, url: string) => call(t.app, 'GET', url, { cookie: who.cookie });
export const postAs = (t: TestApp, who: Signed, url: string, body?: unknown) =>
  call(t.app, 'POST', url, { cookie: who.cookie, body: body ?? {} });

/** `from` writes to `to` (201 expected); returns the ids. */
export async function sendTo(
  t: TestApp,
  from: Signed,
  to: { id: number },
  body = 'Do you have a checklist for labor trafficking interviews?'
): Promise<{ conversationId: number; messageId: number }> {
  const res = await postAs(t, from, '/api/messages', { to: to.id, body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function replyIn(t: TestApp, from: Signed, conversationId: number, body = 'Yes, I will send it over.') {
  const res = await postAs(t, from, `/api/messages/conversations/${conversationId}`, { body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { conversationId: number; messageId: number };
}

/** Two members who can write to each other (plus any options for each). */
export async function pair(t: TestApp, a: MemberOptions = {}, b: MemberOptions = {}): Promise<[Signed, Signed]> {
  return [await signedMember(t, { name: 'Avery Investigator', ...a }), await signedMember(t, { name: 'Blake Prosecutor', ...b })];
}

export async function unreadOf(t: TestApp, who: Signed): Promise<number> {
  const res = await getAs(t, who, '/api/notifications/unread-count');
  expect(res.statusCode, res.body).toBe(200);
  return res.json().messages as number;
}

/**
 * A conversation written straight into the database (for fixtures whose members may not send, e.g. the
 * matrix's suspended callers): `from` wrote `body` to `to`. Returns the ids.
 */
export function insertConversation(
  t: TestApp,
  from: number,
  to: number,
  body = 'A message written for the fixture.'
): { conversationId: number; messageId: number } {
  return t.db.transaction((tx) => {
    const now = t.clock.now();
    const conversationId = ensureConversation(tx, from, to, now);
    const messageId = insertMessage(tx, { conversationId, senderId: from, body, html: `<p>${body}</p>`, text: body, now });
    return { conversationId, messageId };
  });
}

/** An open flag on a message, written straight into the database. */
export function insertFlag(t: TestApp, messageId: number, flaggerId: number, reason = 'harassment'): number {
  const db = t.db.$client;
  db.prepare(
    'INSERT INTO message_flags (message_id, flagger_id, reason, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
  ).run(messageId, flaggerId, reason, t.clock.now());
  return (
    db
      .prepare('SELECT id FROM message_flags WHERE message_id = ? AND flagger_id = ? AND resolved_at IS NULL')
      .get(messageId, flaggerId) as { id: number }
  ).id;
}
