import type { RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';

/** What the share and edit forms offer: every task force, and the most used tags for suggestions. */
export async function formChoices(event: Pick<RequestEvent, 'fetch' | 'cookies'>) {
  const client = api(event);
  const [taskForces, tags] = await Promise.all([
    client.get<{ taskForces: { id: number; name: string }[] }>('/task-forces/options'),
    client.get<{ tags: { name: string; count: number }[] }>('/resources/tags', { limit: 20 })
  ]);
  return {
    taskForces: taskForces.ok ? taskForces.data.taskForces.map((t) => ({ id: t.id, name: t.name })) : [],
    tagSuggestions: tags.ok ? tags.data.tags.map((t) => t.name) : []
  };
}

/** Reads a body to its end without keeping it (answering before the browser finished sending makes it show a network error). */
export async function drain(stream: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!stream) return;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return;
    }
  } catch {
    // The browser went away: nothing left to answer.
  }
}
