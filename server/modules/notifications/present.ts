import { textOf, urlOf, type NotificationData, type Person } from './kinds.ts';
import type { NotificationRow } from './store.ts';

/** A notification as the API and the socket send it (the same shape in both). */
export interface NotificationView {
  /** The event id: only grows; the client's cursor for replay. */
  id: number;
  kind: string;
  /** One sentence: who did what where. */
  text: string;
  /** The exact post (or page) it is about; null when there is nowhere to go. */
  url: string | null;
  createdAt: number;
  readAt: number | null;
  actor: Person | null;
  /** Grouped kinds (reactions): the latest people, and how many in all. */
  actors: Person[] | null;
  count: number | null;
  thread: { id: number; title: string } | null;
  excerpt: string | null;
  /** A message from a moderator (a warning). */
  message: string | null;
  /** The id of a notification this one replaces: drop it from the list. */
  replaces: number | null;
}

export function presentNotification(row: NotificationRow): NotificationView {
  const data = JSON.parse(row.data) as NotificationData;
  return {
    id: row.id,
    kind: row.kind,
    text: textOf(row.kind, data),
    url: urlOf(row.kind, data),
    createdAt: row.createdAt,
    readAt: row.readAt,
    actor: data.actor ?? data.actors?.[0] ?? null,
    actors: data.actors ?? null,
    count: data.count ?? null,
    thread: row.threadId !== null && data.threadTitle !== undefined ? { id: row.threadId, title: data.threadTitle } : null,
    excerpt: data.excerpt ?? null,
    message: data.message ?? null,
    replaces: data.replaces ?? null
  };
}
