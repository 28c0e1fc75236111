import type { Ctx } from '../../context.ts';
import { readersAmong } from './access.ts';

/**
 * member.mentioned for each mentioned member who may read the thread (never the author, never an
 * outsider). Settles when their notifications are stored.
 */
export async function publishMentions(
  ctx: Ctx,
  memberIds: readonly number[],
  where: { postId: number; threadId: number; categoryId: number; byMemberId: number }
): Promise<number[]> {
  const candidates = memberIds.filter((id) => id !== where.byMemberId);
  const readers = readersAmong(ctx.db, candidates, where.categoryId);
  await Promise.all(readers.map((memberId) => ctx.bus.publish({ type: 'member.mentioned', memberId, ...where })));
  return readers;
}
