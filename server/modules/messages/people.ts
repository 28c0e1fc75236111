import type { DbOrTx } from '../../../db/client.ts';
import type { Actor } from '../../policies/index.ts';
import { directoryParams, displayNameSql, fieldVisibleSql } from '../../policies/directory.ts';
import { all, idList } from '../discussions/sql.ts';

/** The other side of a conversation, as the viewer may see them (the directory's visibility rule decides). */
export interface Person {
  id: number;
  displayName: string;
  photoUrl: string | null;
}

/** Members by id, named for this viewer: never the raw name when the profile hides it. */
export function peopleFor(db: DbOrTx, viewer: Actor, ids: readonly number[]): Map<number, Person> {
  if (ids.length === 0) return new Map();
  const rows = all<{ id: number; displayName: string; photoImageId: number | null }>(
    db,
    `SELECT m.id, ${displayNameSql()} AS displayName,
       CASE WHEN ${fieldVisibleSql('photo')} THEN p.photo_image_id END AS photoImageId
     FROM members m LEFT JOIN member_profiles p ON p.member_id = m.id
     WHERE m.id IN (SELECT value FROM json_each(@ids))`,
    { ids: idList([...new Set(ids)]), ...directoryParams(viewer) }
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, displayName: r.displayName, photoUrl: r.photoImageId === null ? null : `/api/images/${r.photoImageId}` }
    ])
  );
}

export function personFor(db: DbOrTx, viewer: Actor, id: number): Person {
  return peopleFor(db, viewer, [id]).get(id) ?? { id, displayName: 'A member', photoUrl: null };
}
