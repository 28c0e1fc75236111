import type { DbOrTx } from '../../../db/client.ts';
import type { Actor } from '../../policies/index.ts';
import { displayNameFor } from '../../policies/directory.ts';
import { loadSubjects } from './subjects.ts';

/**
 * The names a viewer sees for these members (messages, spotlights, notifications outside discussion
 * posts), decided by the directory rule. Unknown ids are absent from the map.
 */
export function displayNamesFor(db: DbOrTx, viewer: Actor | null, ids: readonly number[]): Map<number, string> {
  const subjects = loadSubjects(db, ids);
  return new Map([...subjects.values()].map((s) => [s.id, displayNameFor(viewer, s)]));
}

/** One member's name as the viewer sees it (null: no such member). */
export function displayNameOf(db: DbOrTx, viewer: Actor | null, id: number): string | null {
  return displayNamesFor(db, viewer, [id]).get(id) ?? null;
}
