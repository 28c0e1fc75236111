import { call, type TestApp } from '../../support/app.ts';
import { sessionCookie } from '../../support/factories.ts';
import { ACTIVE, ADMIN, type Row, type World } from '../matrix.ts';

/**
 * Authorization matrix rows for the suggestions routes (owner: G1). Only functions here: this module is
 * imported by matrix.ts, so its constants (ACTIVE, STAFF, …) exist only once the rows are built.
 */

const made = new WeakMap<TestApp, Promise<number>>();

async function submit(t: TestApp, authorId: number, title: string): Promise<number | null> {
  const res = await call(t.app, 'POST', '/api/suggestions', {
    cookie: sessionCookie(t, authorId),
    body: { title, description: 'Fixture for the authorization matrix.' }
  });
  return res.statusCode === 201 ? (res.json() as { id: number }).id : null;
}

/** A suggestion by another member, once per cell's app. */
function suggestion(w: World): Promise<number> {
  let id = made.get(w.t);
  if (!id) {
    id = submit(w.t, w.otherMemberId, 'Matrix suggestion by another member').then((made) => {
      if (made === null) throw new Error('the suggestion fixture could not be made');
      return made;
    });
    made.set(w.t, id);
  }
  return id;
}

export function suggestionRows(): Row[] {
  const onSuggestion = (route: string, expect: Row['expect'], body?: unknown): Row => ({
    route,
    access: route.includes('/status') || route.includes('/delete') ? 'suggestions.manage' : 'suggestions.use',
    expect,
    send: async (w) => ({ params: { id: await suggestion(w) }, ...(body !== undefined ? { body } : {}) })
  });
  return [
    { route: 'GET /api/suggestions', access: 'suggestions.use', expect: ACTIVE, send: () => ({ query: { sort: 'votes' } }) },
    {
      route: 'GET /api/suggestions/similar',
      access: 'suggestions.use',
      expect: ACTIVE,
      send: () => ({ query: { q: 'training for hotel staff' } })
    },
    {
      route: 'POST /api/suggestions',
      access: 'suggestions.use',
      expect: ACTIVE,
      send: () => ({ body: { title: 'A suggestion from the matrix', description: 'Any active member may suggest.' } })
    },
    onSuggestion('GET /api/suggestions/:id', ACTIVE),
    // Only the author edits (another member gets 403: tests/api/suggestions-board.test.ts): each caller edits their own.
    {
      route: 'PATCH /api/suggestions/:id',
      access: 'suggestions.use',
      expect: ACTIVE,
      send: async (w, _target, callerId) => ({
        // A caller who may not suggest (pending, suspended…) tries another member's.
        params: {
          id: (callerId === null ? null : await submit(w.t, callerId, 'The caller’s own suggestion')) ?? (await suggestion(w))
        },
        body: { title: 'The caller’s own suggestion, edited' }
      })
    },
    onSuggestion('POST /api/suggestions/:id/vote', ACTIVE, { vote: true }),
    onSuggestion('POST /api/suggestions/:id/status', ADMIN, { status: 'planned', note: 'In the plan for next year.' }),
    onSuggestion('POST /api/suggestions/:id/delete', ADMIN, {})
  ];
}
