import type { Ctx } from '../../context.ts';
import { readersAmong } from './access.ts';

/** member.mentioned for each mentioned member who may read the thread (never the author, never an outsider). */
export function publishMentions(
  ctx: Ctx,
  memberIds: readonly number[],
  where: { postId: number; threadId: number; categoryId: number; byMemberId: number }
): number[] {
  const candidates = memberIds.filter((id) => id !== where.byMemberId);
  const readers = readersAmong(ctx.db, candidates, where.categoryId);
  for (const memberId of readers) ctx.bus.publish({ type: 'member.mentioned', memberId, ...where });
  return readers;
}
