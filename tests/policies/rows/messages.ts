import type { TestApp } from '../../support/app.ts';
import { createMember } from '../../support/factories.ts';
import { insertConversation, insertFlag } from '../../support/messages.ts';
import { ACTIVE, MODERATORS, only, type Row, type Target, type World } from '../matrix.ts';

/**
 * Authorization matrix rows for the messages routes (owner: M1). Only functions here: this module is
 * imported by matrix.ts, so its constants (ACTIVE, STAFF, …) exist only once the rows are built.
 *
 * Object-level rows: 'own' is a conversation (or message) of the caller's, 'other' one between two other
 * members. Every active role — moderators and admins too — may open only its own: staff read a message
 * only through a flag, in the moderation queue. The routes answer 404 to hide the others.
 */

/** A conversation between two members who are not the caller, once per cell's app. */
const foreign = new WeakMap<TestApp, Promise<{ conversationId: number; messageId: number }>>();

function foreignConversation(w: World) {
  let made = foreign.get(w.t);
  if (!made) {
    made = createMember(w.t).then((third) =>
      insertConversation(w.t, third.id, w.otherMemberId, 'Between two other members: nobody else reads this.')
    );
    foreign.set(w.t, made);
  }
  return made;
}

/** The caller's own conversation with the other member: the last message is from the other member to the caller. */
async function ownConversation(w: World, callerId: number | null) {
  if (callerId === null) return { ...(await foreignConversation(w)), mine: null };
  const mine = insertConversation(w.t, callerId, w.otherMemberId, 'From the caller.');
  const theirs = insertConversation(w.t, w.otherMemberId, callerId, 'From the other member to the caller.');
  return { conversationId: mine.conversationId, messageId: theirs.messageId, mine: mine.messageId };
}

const pick = async (w: World, target: Target, callerId: number | null) =>
  target === 'own' ? ownConversation(w, callerId) : { ...(await foreignConversation(w)), mine: null };

export function messageRows(): Row[] {
  const OWN_ONLY: Row['expect'] = { ...only(), member: 'own', coordinator: 'own', moderator: 'own', editor: 'own', admin: 'own' };
  const onConversation = (route: string, body?: unknown): Row => ({
    route,
    access: 'messages.use',
    expect: OWN_ONLY,
    objectLevel: true,
    hidesAs404: true,
    send: async (w, target, callerId) => ({
      params: { id: (await pick(w, target, callerId)).conversationId },
      ...(body !== undefined ? { body } : {})
    })
  });
  return [
    {
      route: 'GET /api/messages/to/:id',
      access: 'messages.use',
      expect: ACTIVE,
      send: (w) => ({ params: { id: w.otherMemberId } })
    },
    {
      route: 'POST /api/messages',
      access: 'messages.use',
      expect: ACTIVE,
      send: (w) => ({ body: { to: w.otherMemberId, body: 'Hello from the authorization matrix.' } })
    },
    {
      route: 'GET /api/messages/conversations',
      access: 'messages.use',
      expect: ACTIVE,
      send: async (w) => {
        await foreignConversation(w);
        return {};
      },
      // The only conversation stored is between two other members: a caller must not see it.
      inspect: (_role, body) => {
        const listed = (body as { conversations?: unknown[] }).conversations ?? [];
        return listed.length === 0 ? null : `lists ${listed.length} conversation(s) the caller is not in`;
      }
    },
    onConversation('GET /api/messages/conversations/:id'),
    onConversation('POST /api/messages/conversations/:id', { body: 'A reply from the authorization matrix.' }),
    onConversation('POST /api/messages/conversations/:id/read', { upTo: 1 }),
    {
      route: 'GET /api/messages/:id',
      access: 'messages.use',
      expect: OWN_ONLY,
      objectLevel: true,
      hidesAs404: true,
      send: async (w, target, callerId) => ({ params: { id: (await pick(w, target, callerId)).messageId } })
    },
    {
      route: 'POST /api/messages/:id/delete',
      access: 'messages.use',
      expect: OWN_ONLY,
      objectLevel: true,
      hidesAs404: true,
      send: async (w, target, callerId) => {
        const c = await pick(w, target, callerId);
        return { params: { id: c.mine ?? c.messageId }, body: {} };
      }
    },
    {
      route: 'POST /api/messages/:id/flag',
      access: 'messages.use',
      expect: OWN_ONLY,
      objectLevel: true,
      hidesAs404: true,
      send: async (w, target, callerId) => ({
        params: { id: (await pick(w, target, callerId)).messageId },
        body: { reason: 'inappropriate' }
      })
    },
    {
      route: 'GET /api/moderation/messages',
      access: 'messages.moderate',
      expect: MODERATORS,
      send: async (w) => {
        const c = await foreignConversation(w);
        insertFlag(w.t, c.messageId, w.otherMemberId);
        return {};
      }
    },
    {
      route: 'POST /api/moderation/message-flags/:id',
      access: 'messages.moderate',
      expect: MODERATORS,
      send: async (w) => {
        const c = await foreignConversation(w);
        return { params: { id: insertFlag(w.t, c.messageId, w.otherMemberId) }, body: { outcome: 'dismiss' } };
      }
    }
  ];
}
