import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { createMember } from '../support/factories.ts';
import { insertConversation } from '../support/messages.ts';
import { messagesApp } from '../support/messages.ts';
import { memberActors } from '../../server/modules/notifications/actors.ts';
import { all } from '../../server/modules/discussions/sql.ts';
import { can } from '../../server/policies/index.ts';
import { conversationParams, inConversation, MY_CONVERSATIONS_SQL } from '../../server/policies/messages.ts';
import type { Role, MemberStatus } from '../../db/schema/index.ts';

let t: TestApp;
beforeEach(async () => {
  t = await messagesApp();
});
afterEach(async () => {
  await t.close();
});

describe('the conversation read rule: JS and SQL agree', () => {
  it('on a grid of callers (every role and status, in and out of conversations) × conversations', async () => {
    const kinds: { role: Role; status: MemberStatus; noticeAccepted?: boolean }[] = [
      { role: 'member', status: 'active' },
      { role: 'coordinator', status: 'active' },
      { role: 'moderator', status: 'active' },
      { role: 'editor', status: 'active' },
      { role: 'admin', status: 'active' },
      { role: 'member', status: 'pending', noticeAccepted: false },
      { role: 'member', status: 'suspended' },
      { role: 'admin', status: 'expired' },
      { role: 'admin', status: 'disabled' }
    ];
    const people = [];
    for (const k of kinds) people.push(await createMember(t, k));
    const ids = people.map((p) => p.id);
    // Each person talks with the next one; the last with the first: everyone is in two conversations, out of the rest.
    const conversations = ids.map((id, i) => insertConversation(t, id, ids[(i + 1) % ids.length]!).conversationId);
    const rows = all<{ id: number; memberLow: number; memberHigh: number }>(
      t.db,
      'SELECT id, member_low AS memberLow, member_high AS memberHigh FROM conversations'
    );
    expect(rows).toHaveLength(conversations.length);
    let allowed = 0;
    for (const actor of memberActors(t.deps, ids)) {
      const sql = new Set(all<{ id: number }>(t.db, MY_CONVERSATIONS_SQL, conversationParams(actor)).map((r) => r.id));
      for (const c of rows) {
        const js = inConversation(actor, c);
        expect(js, `actor ${actor.id} (${actor.role}/${actor.status}) on conversation ${c.id}`).toBe(sql.has(c.id));
        expect(can(actor, 'conversation.read', c)).toBe(js);
        if (js) allowed++;
      }
    }
    // Five active members, each in two conversations: the grid is not all-deny.
    expect(allowed).toBe(10);
    expect(all(t.db, MY_CONVERSATIONS_SQL, conversationParams(null))).toEqual([]);
  });
});
