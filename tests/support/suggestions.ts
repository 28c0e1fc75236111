import { expect } from 'vitest';
import { call, type TestApp } from './app.ts';
import type { Signed } from './discussions.ts';

/** Helpers for the suggestions board tests (API). */

export async function suggest(
  t: TestApp,
  who: Signed,
  title = 'Quarterly training on labor trafficking indicators',
  description = 'A short online session each quarter for new investigators.'
): Promise<number> {
  const res = await call(t.app, 'POST', '/api/suggestions', { cookie: who.cookie, body: { title, description } });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: number }).id;
}

export function vote(t: TestApp, who: Signed, id: number, yes = true) {
  return call(t.app, 'POST', `/api/suggestions/${id}/vote`, { cookie: who.cookie, body: { vote: yes } });
}

export function setStatus(t: TestApp, admin: Signed, id: number, body: Record<string, unknown>) {
  return call(t.app, 'POST', `/api/suggestions/${id}/status`, { cookie: admin.cookie, body });
}

export function suggestionPage(t: TestApp, who: Signed, id: number) {
  return call(t.app, 'GET', `/api/suggestions/${id}`, { cookie: who.cookie });
}

/** vote_count as stored, and the number of vote rows: they must always agree. */
export function counts(t: TestApp, id: number): { stored: number; rows: number; voters: number[] } {
  const stored = (t.db.$client.prepare('SELECT vote_count AS n FROM suggestions WHERE id = ?').get(id) as { n: number }).n;
  const voters = (
    t.db.$client.prepare('SELECT member_id AS m FROM suggestion_votes WHERE suggestion_id = ? ORDER BY member_id').all(id) as {
      m: number;
    }[]
  ).map((r) => r.m);
  return { stored, rows: voters.length, voters };
}

export function notified(t: TestApp, kind = 'suggestion_status'): { memberId: number; data: Record<string, unknown> }[] {
  return (
    t.db.$client
      .prepare('SELECT member_id AS memberId, data FROM notifications WHERE kind = ? ORDER BY member_id, id')
      .all(kind) as {
      memberId: number;
      data: string;
    }[]
  ).map((r) => ({ memberId: r.memberId, data: JSON.parse(r.data) as Record<string, unknown> }));
}
