import type { DbOrTx } from '../../../db/client.ts';
import {
  PROFILE_FIELDS,
  type ContactPreference,
  type Discipline,
  type FieldVisibility,
  type MemberStatus,
  type ProfileField,
  type Role
} from '../../../db/schema/index.ts';
import { VISIBILITY_COLUMNS, type NamedSubject, type Visibility } from '../../policies/directory.ts';
import { all, idList } from '../discussions/sql.ts';

/**
 * A member as the directory knows them: the membership's columns, the profile (or its defaults for
 * a member who never saved one), the task force's name and the expertise tags. Loaded whole; what a
 * viewer may see of it is decided in present.ts through the policy.
 */
export interface Subject extends NamedSubject {
  jobTitle: string;
  status: MemberStatus;
  role: Role;
  email: string;
  taskForceName: string | null;
  photoImageId: number | null;
  state: string | null;
  bio: string;
  languages: string[];
  expertise: string[];
  preferredContact: ContactPreference;
  contactEmail: string | null;
  contactPhone: string | null;
  listed: boolean;
  updatedAt: number | null;
}

const visibilityColumns = PROFILE_FIELDS.map((f) => `coalesce(p.${VISIBILITY_COLUMNS[f]}, 'members') AS "v_${f}"`).join(', ');

const SUBJECTS_SQL = `SELECT m.id, m.email, m.name, m.agency, m.job_title AS jobTitle, m.discipline, m.task_force_id AS taskForceId,
    m.status, m.role, tf.name AS taskForceName, p.photo_image_id AS photoImageId, p.state, coalesce(p.bio, '') AS bio,
    coalesce(p.languages, '[]') AS languages, coalesce(p.preferred_contact, 'message') AS preferredContact,
    p.contact_email AS contactEmail, p.contact_phone AS contactPhone, coalesce(p.listed, 1) AS listed,
    p.updated_at AS updatedAt, ${visibilityColumns}
  FROM members m
  LEFT JOIN member_profiles p ON p.member_id = m.id
  LEFT JOIN task_forces tf ON tf.id = m.task_force_id
  WHERE m.id IN (SELECT value FROM json_each(@ids))`;

type RawSubject = Omit<Subject, 'visibility' | 'languages' | 'expertise' | 'listed'> & {
  languages: string;
  listed: number;
} & Record<`v_${ProfileField}`, FieldVisibility>;

function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** The subjects with these ids, by id (unknown ids are simply absent). */
export function loadSubjects(db: DbOrTx, ids: readonly number[]): Map<number, Subject> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = all<RawSubject>(db, SUBJECTS_SQL, { ids: idList(unique) });
  const tags = all<{ memberId: number; tag: string }>(
    db,
    'SELECT member_id AS memberId, tag FROM member_expertise WHERE member_id IN (SELECT value FROM json_each(@ids)) ORDER BY tag',
    { ids: idList(unique) }
  );
  const byMember = new Map<number, string[]>();
  for (const t of tags) byMember.set(t.memberId, [...(byMember.get(t.memberId) ?? []), t.tag]);
  return new Map(
    rows.map((r) => {
      const visibility = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, r[`v_${f}`]])) as Visibility;
      const subject: Subject = {
        id: r.id,
        email: r.email,
        name: r.name,
        agency: r.agency,
        jobTitle: r.jobTitle,
        discipline: r.discipline as Discipline,
        taskForceId: r.taskForceId,
        status: r.status,
        role: r.role,
        taskForceName: r.taskForceName,
        photoImageId: r.photoImageId,
        state: r.state,
        bio: r.bio,
        languages: parseList(r.languages),
        expertise: byMember.get(r.id) ?? [],
        preferredContact: r.preferredContact,
        contactEmail: r.contactEmail,
        contactPhone: r.contactPhone,
        listed: r.listed === 1,
        updatedAt: r.updatedAt,
        visibility
      };
      return [r.id, subject];
    })
  );
}

export function loadSubject(db: DbOrTx, id: number): Subject | undefined {
  return loadSubjects(db, [id]).get(id);
}
