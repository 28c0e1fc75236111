import type { TestApp } from '../../support/app.ts';
import { ACTIVE, only, type Row, type World } from '../matrix.ts';

/**
 * Authorization matrix rows for the spotlights routes (owner: S1). Only functions here: this module is
 * imported by matrix.ts, so its constants (ACTIVE, STAFF, …) exist only once the rows are built.
 */

const WRITERS = () => only('editor', 'admin');
const FUTURE_WEEK = '2026-02-02';

/** A spotlight row written straight into the cell's database (the fixtures are about who may act on it). */
function insertSpotlight(
  t: TestApp,
  authorId: number,
  opts: { kind: 'practice' | 'member'; featuredMemberId?: number; published?: boolean }
) {
  const now = t.clock.now();
  return Number(
    t.db.$client
      .prepare(
        `INSERT INTO spotlights (kind, title, summary, body, body_html, body_text, featured_member_id, revision, consent_state,
           consent_revision, author_id, created_at, updated_at, week, publish_at, published_at)
         VALUES (@kind, 'Matrix spotlight fixture title', 'Summary', 'Body', '<p>Body</p>', 'Body', @featured, 1, @consent, @consentRevision,
           @authorId, @now, @now, @week, @publishAt, @publishedAt)`
      )
      .run({
        kind: opts.kind,
        featured: opts.featuredMemberId ?? null,
        consent: opts.kind === 'member' ? 'pending' : 'not_needed',
        consentRevision: opts.kind === 'member' ? 1 : null,
        authorId,
        now,
        week: opts.published ? '2025-12-29' : null,
        publishAt: opts.published ? now - 1000 : null,
        publishedAt: opts.published ? now - 1000 : null
      }).lastInsertRowid
  );
}

const drafts = new WeakMap<TestApp, number>();
/** An unpublished member spotlight about another member: only writers (and that member) may see it. */
function draft(w: World): number {
  let id = drafts.get(w.t);
  if (id === undefined) {
    id = insertSpotlight(w.t, w.otherMemberId, { kind: 'member', featuredMemberId: w.otherMemberId });
    drafts.set(w.t, id);
  }
  return id;
}

export function spotlightRows(): Row[] {
  const onDraft = (route: string, body?: unknown): Row => ({
    route,
    access: 'spotlights.write',
    expect: WRITERS(),
    send: (w) => ({ params: { id: draft(w) }, ...(body !== undefined ? { body } : {}) })
  });
  return [
    { route: 'GET /api/spotlights/current', access: 'spotlights.use', expect: ACTIVE },
    {
      route: 'GET /api/spotlights',
      access: 'spotlights.use',
      expect: ACTIVE,
      send: () => ({ query: { q: 'matrix', limit: '5' } })
    },
    { route: 'GET /api/spotlights/consent-requests', access: 'spotlights.use', expect: ACTIVE },
    {
      route: 'GET /api/spotlights/calendar',
      access: 'spotlights.write',
      expect: WRITERS(),
      send: () => ({ query: { from: '2026-01-05' } })
    },
    {
      route: 'GET /api/spotlights/member-options',
      access: 'spotlights.write',
      expect: WRITERS(),
      send: () => ({ query: { q: 'member' } })
    },
    {
      route: 'POST /api/spotlights/preview',
      access: 'spotlights.write',
      expect: WRITERS(),
      send: () => ({ body: { body: 'A **preview**.' } })
    },
    {
      route: 'POST /api/spotlights',
      access: 'spotlights.write',
      expect: WRITERS(),
      send: () => ({
        body: {
          kind: 'practice',
          title: 'A promising practice from the matrix',
          summary: 'Short.',
          body: 'Text.',
          week: FUTURE_WEEK
        }
      })
    },
    // Unpublished: writers only; everyone else is not even told it exists (a published one: tests/api/spotlights-publish.test.ts).
    {
      route: 'GET /api/spotlights/:id',
      access: 'spotlights.use',
      expect: WRITERS(),
      hidesAs404: true,
      send: (w) => ({ params: { id: draft(w) } })
    },
    onDraft('PATCH /api/spotlights/:id', { summary: 'Edited by the matrix.' }),
    onDraft('POST /api/spotlights/:id/delete', {}),
    onDraft('POST /api/spotlights/:id/schedule', { week: FUTURE_WEEK }),
    onDraft('POST /api/spotlights/:id/unschedule', {}),
    // Each caller decides on a spotlight about themselves (any active member may be featured); nobody decides for
    // another (editors, admins, coordinators included: tests/api/spotlights-consent.test.ts).
    {
      route: 'POST /api/spotlights/:id/consent',
      access: 'spotlights.use',
      expect: ACTIVE,
      send: (w, _target, callerId) => ({
        params: {
          id: insertSpotlight(w.t, w.otherMemberId, { kind: 'member', featuredMemberId: callerId ?? w.otherMemberId })
        },
        body: { revision: 1, decision: 'approve' }
      })
    }
  ];
}
