import type { Ctx } from '../../context.ts';
import { can } from '../../policies/index.ts';
import { findMemberIds, searchWords } from './list.ts';
import { loadSubjects } from './subjects.ts';
import { memberCard } from './present.ts';

const SEARCH_MEMBERS = 5;

/**
 * Members beside the discussions in global search: the first few the words find, each word in a
 * field the searcher may see (the directory's own query), shown as name, photo, job title, agency.
 */
export function searchMembersForGlobal(ctx: Ctx, q: string) {
  if (!can(ctx.actor, 'directory.use')) return [];
  const words = searchWords(q);
  if (words.length === 0) return [];
  const { ids } = findMemberIds(ctx, { words }, { limit: SEARCH_MEMBERS });
  const subjects = loadSubjects(ctx.db, ids);
  return ids.flatMap((id) => {
    const s = subjects.get(id);
    if (!s) return [];
    const card = memberCard(ctx.actor, s);
    return [
      {
        id: card.id,
        displayName: card.displayName,
        ...(card.photoUrl !== undefined ? { photoUrl: card.photoUrl } : {}),
        ...(card.jobTitle !== undefined ? { jobTitle: card.jobTitle } : {}),
        ...(card.agency !== undefined ? { agency: card.agency } : {})
      }
    ];
  });
}
