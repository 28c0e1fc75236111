import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { Inbox } from '$lib/components/messages/types';
import type { PageServerLoad } from './$types';

/** The API's cursors are opaque but short; anything odd is dropped rather than sent on. */
const CURSOR = /^[\w.:-]{1,100}$/;

/** The member's conversations, newest activity first; ?after= pages back through older ones. */
export const load: PageServerLoad = async (event) => {
  const raw = event.url.searchParams.get('after');
  const after = raw && CURSOR.test(raw) ? raw : undefined;
  const result = await api(event).get<Inbox>('/messages/conversations', { after, limit: 20 });
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.error.message);
  return { inbox: result.data, paged: after !== undefined };
};
