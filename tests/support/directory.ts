import sharp from 'sharp';
import { FIELD_VISIBILITIES, PROFILE_FIELDS, type FieldVisibility, type ProfileField } from '../../db/schema/index.ts';
import { VISIBILITY_COLUMNS } from '../../server/policies/directory.ts';
import { call, ORIGIN, type TestApp } from './app.ts';
import { multipartBody, type FilePart } from './fileFixtures.ts';

/** Directory fixtures: profiles written straight to the database, image uploads as a browser sends them. */

export { FIELD_VISIBILITIES, PROFILE_FIELDS };

export interface ProfileFixture {
  state?: string | null;
  bio?: string;
  languages?: string[];
  expertise?: string[];
  preferredContact?: 'message' | 'email' | 'phone';
  contactEmail?: string | null;
  contactPhone?: string | null;
  listed?: boolean;
  photoImageId?: number | null;
  visibility?: Partial<Record<ProfileField, FieldVisibility>>;
  /** Columns on members. */
  name?: string;
  agency?: string;
  jobTitle?: string;
}

/** Every field at one level. */
export const allAt = (level: FieldVisibility): Record<ProfileField, FieldVisibility> =>
  Object.fromEntries(PROFILE_FIELDS.map((f) => [f, level])) as Record<ProfileField, FieldVisibility>;

/** Write a member's profile directly (bypassing the API: for grids and large seeds). */
export function setProfile(t: TestApp, memberId: number, p: ProfileFixture): void {
  const sqlite = t.db.$client;
  if (p.name !== undefined || p.agency !== undefined || p.jobTitle !== undefined) {
    sqlite
      .prepare(
        'UPDATE members SET name = coalesce(?, name), agency = coalesce(?, agency), job_title = coalesce(?, job_title) WHERE id = ?'
      )
      .run(p.name ?? null, p.agency ?? null, p.jobTitle ?? null, memberId);
  }
  const visibility = { ...allAt('members'), ...p.visibility };
  const columns = PROFILE_FIELDS.map((f) => VISIBILITY_COLUMNS[f]);
  sqlite
    .prepare(
      `INSERT OR REPLACE INTO member_profiles (member_id, photo_image_id, state, bio, languages, preferred_contact,
         contact_email, contact_phone, listed, ${columns.join(', ')}, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${columns.map(() => '?').join(', ')}, ?)`
    )
    .run(
      memberId,
      p.photoImageId ?? null,
      p.state ?? null,
      p.bio ?? '',
      JSON.stringify(p.languages ?? []),
      p.preferredContact ?? 'message',
      p.contactEmail ?? null,
      p.contactPhone ?? null,
      p.listed === false ? 0 : 1,
      ...PROFILE_FIELDS.map((f) => visibility[f]),
      t.clock.now()
    );
  sqlite.prepare('DELETE FROM member_expertise WHERE member_id = ?').run(memberId);
  for (const tag of p.expertise ?? [])
    sqlite.prepare('INSERT INTO member_expertise (member_id, tag) VALUES (?, ?)').run(memberId, tag);
}

/** A small real picture. */
export function pngImage(width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#2a6f97' } })
    .png()
    .toBuffer();
}

export function jpegImage(width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#8a5a44' } })
    .jpeg()
    .toBuffer();
}

/** POST /api/images?purpose=… as a browser form would. */
export function uploadImage(t: TestApp, cookie: string, purpose: string, file: FilePart | null) {
  const body = multipartBody({}, file === null ? [] : [file]);
  return t.app.inject({
    method: 'POST',
    url: `/api/images?purpose=${encodeURIComponent(purpose)}`,
    headers: { cookie, origin: ORIGIN, 'content-type': body.contentType },
    payload: body.payload
  });
}

/** Upload a profile photo and make it the member's current photo; returns the image id. */
export async function givePhoto(t: TestApp, cookie: string): Promise<number> {
  const res = await uploadImage(t, cookie, 'profile', { name: 'me.png', content: await pngImage() });
  if (res.statusCode !== 201) throw new Error(`photo upload: ${res.statusCode} ${res.body}`);
  const id = (res.json() as { image: { id: number } }).image.id;
  const put = await call(t.app, 'PUT', '/api/profile', { cookie, body: { photoImageId: id } });
  if (put.statusCode !== 200) throw new Error(`set photo: ${put.statusCode} ${put.body}`);
  return id;
}

/** Every key anywhere in a JSON value (to prove a hidden field is absent from a reply, at any depth). */
export function keysDeep(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysDeep(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysDeep(v, into);
    }
  }
  return into;
}
