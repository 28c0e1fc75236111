import type { Ctx, Deps } from '../context.ts';
import { can, isActiveMember, type Actor } from '../policies/index.ts';
import { moderates, type ThreadState } from '../policies/discussions.ts';
import { loadCategory, readableThread, threadRow, threadState } from '../modules/discussions/access.ts';
import { memberActors } from '../modules/notifications/actors.ts';

/**
 * Who may receive a push is decided by the same policies as HTTP, on the state of the member and of
 * the thread at the moment of sending: a member removed from a private category stops receiving at once.
 */

const asCtx = (deps: Deps, actor: Actor): Ctx => ({ ...deps, actor, ip: '', userAgent: 'realtime' });

/** At subscribe time: the thread page's own check (404 when missing or out of reach). */
export function maySubscribe(deps: Deps, actor: Actor, threadId: number): boolean {
  try {
    readableThread(asCtx(deps, actor), threadId);
    return true;
  } catch {
    return false;
  }
}

export function currentThreadState(deps: Deps, threadId: number): ThreadState | null {
  const thread = threadRow(deps.db, threadId);
  const category = thread ? loadCategory(deps.db, thread.categoryId) : undefined;
  return thread && category ? threadState(thread, category) : null;
}

/** The members among these who may read the thread now (fresh from the database). */
export function threadReaders(deps: Deps, memberIds: readonly number[], threadId: number): Set<number> {
  const state = currentThreadState(deps, threadId);
  if (!state) return new Set();
  return new Set(
    memberActors(deps, memberIds)
      .filter((actor) => can(actor, 'thread.read', state))
      .map((a) => a.id)
  );
}

/** The members among these who moderate now (the staff room's audience for the flag queue). */
export function moderatorsAmong(deps: Deps, memberIds: readonly number[]): Set<number> {
  return new Set(
    memberActors(deps, memberIds)
      .filter((actor) => moderates(actor))
      .map((a) => a.id)
  );
}

/** The member as they are now, or null when they may no longer use the community. */
export function activeMember(deps: Deps, memberId: number): Actor | null {
  const actor = memberActors(deps, [memberId])[0];
  return actor && isActiveMember(actor) ? actor : null;
}
