import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface TagCount {
  name: string;
  count: number;
}

/** Administrators tidy the library's tags: two spellings of one idea become one tag. */
export const load: PageServerLoad = async (event) => {
  const { member } = await event.parent();
  if (member.role !== 'admin') error(403, 'Administrators only.');
  const q = (event.url.searchParams.get('q') ?? '').trim().toLowerCase().slice(0, 40);
  const result = await api(event).get<{ tags: TagCount[] }>('/admin/resource-tags', { q, limit: 100 });
  if (!result.ok) error(result.status, result.error.message);
  return { q, tags: result.data.tags };
};

export const actions: Actions = {
  merge: async (event) => {
    const data = await event.request.formData();
    const from = text(data, 'from').trim().toLowerCase();
    const into = text(data, 'into').trim().toLowerCase();
    const values = { from, into };
    const fields: Record<string, string> = {};
    if (!from) fields.from = 'Name the tag to merge.';
    if (!into) fields.into = 'Name the tag to keep.';
    if (from && from === into) fields.into = 'Choose a different tag to merge into.';
    if (Object.keys(fields).length > 0) return fail(400, { message: 'Check the tags named below.', fields, values });
    const result = await api(event).post<{ merged: number }>('/admin/resource-tags/merge', { from, into });
    if (!result.ok) return fail(result.status, { message: result.error.message, fields: result.error.fields ?? {}, values });
    const n = result.data.merged;
    return { success: `Merged “${from}” into “${into}”: ${n} ${n === 1 ? 'resource' : 'resources'} retagged.` };
  }
};
