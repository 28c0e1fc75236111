import { error, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom, type CategorySummary, type MentionCandidate } from '$lib/discussions';
import type { ResourceSummary } from '$lib/components/resources/resources';
import type { MemberCard } from '$lib/components/directory/directory';
import type { PageServerLoad } from './$types';

export interface SearchHit {
  postId: number;
  threadId: number;
  number: number;
  isOpeningPost: boolean;
  threadTitle: string;
  /** Escaped by the server except for its own <mark> tags. */
  titleHtml: string;
  snippetHtml: string;
  author: { id: number; name: string };
  category: { id: number; name: string; colour: string };
  /** Comments on a resource, spotlight or suggestion open that page. */
  home: string | null;
  createdAt: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The search API filters by author id; members type a name. The name is looked up among members
 * who can read a category (the chosen one, else a public one): the same lookup as @mentions.
 */
async function findAuthor(
  event: RequestEvent,
  name: string,
  me: App.Member,
  categories: CategorySummary[],
  categoryId: number | null
): Promise<{ id: number; name: string } | { choices: MentionCandidate[] } | null> {
  const typed = name.toLowerCase();
  // The lookup leaves out the searcher; "only my posts" by name still works.
  const self = me.name
    .toLowerCase()
    .split(/\s+/)
    .some((_, i, words) => words.slice(i).join(' ').startsWith(typed))
    ? [{ id: me.id, name: me.name, agency: '', insert: '' }]
    : [];
  const where = categoryId ?? (categories.find((c) => !c.isPrivate) ?? categories[0])?.id;
  const result = where
    ? await api(event).get<{ members: MentionCandidate[] }>('/discussions/mention-candidates', { q: name, categoryId: where })
    : null;
  const members = [...self, ...(result?.ok ? result.data.members : [])];
  if (members.length === 0) return null;
  const exact = members.find((m) => m.name.toLowerCase() === typed);
  if (exact) return { id: exact.id, name: exact.name };
  if (members.length === 1) return { id: members[0]!.id, name: members[0]!.name };
  return { choices: members };
}

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const member = event.locals.member!;
  const filters = {
    q: (params.get('q') ?? '').slice(0, 300),
    categoryId: params.get('categoryId') ?? '',
    author: (params.get('author') ?? '').trim().slice(0, 100),
    authorId: params.get('authorId') ?? '',
    from: DAY.test(params.get('from') ?? '') ? params.get('from')! : '',
    to: DAY.test(params.get('to') ?? '') ? params.get('to')! : '',
    mine: params.get('mine') === '1'
  };
  const page = Math.min(10, Math.max(1, Number(params.get('page')) || 1));
  const client = api(event);
  const categories = await client.get<{ categories: CategorySummary[] }>('/discussions/categories');
  if (!categories.ok) error(categories.status, categories.error.message);
  const categoryList = categories.data.categories;
  const base = {
    filters,
    page,
    categories: categoryList.map((c) => ({ id: c.id, name: c.name })),
    hits: null as SearchHit[] | null,
    /** Resources matching the words (the API's top few, first page only), shown beside the discussions. */
    resources: [] as ResourceSummary[],
    /** Members whose visible profile matches the words (the API's top few, first page only). */
    members: [] as MemberCard[],
    hasMore: false,
    message: null as string | null,
    fields: {} as Record<string, string>,
    authorChoices: [] as MentionCandidate[],
    authorName: null as string | null
  };
  if (!filters.q.trim()) return base;

  const categoryId = idFrom(filters.categoryId);
  let authorId = idFrom(filters.authorId);
  if (!authorId && filters.author) {
    const found = await findAuthor(event, filters.author, member, categoryList, categoryId);
    if (found === null) {
      const message = `No member named “${filters.author}” was found.`;
      return { ...base, message, fields: { author: message } };
    }
    if ('choices' in found) {
      const message = `Several members match “${filters.author}”: choose one below.`;
      return { ...base, message, fields: { author: message }, authorChoices: found.choices };
    }
    authorId = found.id;
    base.authorName = found.name;
  }

  const result = await client.get<{
    hits: SearchHit[];
    hasMore: boolean;
    page: number;
    resources?: ResourceSummary[];
    members?: MemberCard[];
  }>('/search', {
    q: filters.q,
    categoryId,
    authorId,
    from: filters.from,
    to: filters.to,
    mine: filters.mine ? 'true' : undefined,
    page
  });
  if (!result.ok) {
    if (result.status >= 500) error(result.status, result.error.message);
    return { ...base, message: result.error.message, fields: result.error.fields ?? {} };
  }
  return {
    ...base,
    hits: result.data.hits,
    hasMore: result.data.hasMore,
    resources: result.data.resources ?? [],
    members: result.data.members ?? []
  };
};
