import type { Tx } from '../../../db/client.ts';
import type { ContactPreference, FieldVisibility, ProfileField } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { VISIBILITY_COLUMNS } from '../../policies/directory.ts';
import { Invalid, NotFound } from '../../shared/errors.ts';
import { PrivacyCheckRequired } from '../../shared/privacyGuard.ts';
import { recordAudit } from '../audit/record.ts';
import { privacyFindings } from '../discussions/compose.ts';
import { get, run } from '../discussions/sql.ts';
import { US_STATES } from '../taskForces/service.ts';
import { ownProfile } from './present.ts';
import { loadSubject, type Subject } from './subjects.ts';

/** Members edit their own profile; task force and discipline are the membership's (set by admins). */

export const BIO_MAX = 5000;
export const MAX_LANGUAGES = 10;
export const MAX_EXPERTISE = 15;

export interface ProfileInput {
  name?: string;
  jobTitle?: string;
  agency?: string;
  state?: string | null;
  bio?: string;
  languages?: string[];
  expertise?: string[];
  preferredContact?: ContactPreference;
  contactEmail?: string | null;
  contactPhone?: string | null;
  listed?: boolean;
  photoImageId?: number | null;
  visibility?: Partial<Record<ProfileField, FieldVisibility>>;
  confirmPrivacy?: boolean;
}

function mine(ctx: Ctx): Subject {
  authorize(ctx.actor, 'directory.use');
  const subject = loadSubject(ctx.db, ctx.actor.id);
  if (!subject) throw new NotFound();
  return subject;
}

export function getOwnProfile(ctx: Ctx) {
  return { profile: ownProfile(mine(ctx)) };
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
const blankToNull = (s: string | null | undefined) => (s === null || s === undefined || s.trim() === '' ? null : s.trim());

/** Trim, drop empties and case-insensitive repeats, keep the first spelling. */
function cleanLanguages(raw: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of raw.map(collapse)) {
    if (value === '' || seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    out.push(value);
  }
  if (out.length > MAX_LANGUAGES)
    throw new Invalid(`List at most ${MAX_LANGUAGES} languages.`, { languages: `At most ${MAX_LANGUAGES}.` });
  return out;
}

export function cleanTag(raw: string): string {
  return collapse(raw).toLowerCase();
}

function cleanExpertise(raw: string[]): string[] {
  const tags = [...new Set(raw.map(cleanTag).filter((t) => t !== ''))];
  const short = tags.find((t) => t.length < 2);
  if (short !== undefined)
    throw new Invalid('Each area of expertise needs at least 2 characters.', { expertise: 'At least 2 characters each.' });
  if (tags.length > MAX_EXPERTISE)
    throw new Invalid(`List at most ${MAX_EXPERTISE} areas of expertise.`, { expertise: `At most ${MAX_EXPERTISE}.` });
  return tags;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9+().\- ]{7,30}$/;

interface Cleaned {
  member: { name?: string; jobTitle?: string; agency?: string };
  profile: Omit<ProfileInput, 'name' | 'jobTitle' | 'agency' | 'confirmPrivacy' | 'visibility' | 'expertise'>;
  visibility: Partial<Record<ProfileField, FieldVisibility>>;
  expertise?: string[];
}

function clean(ctx: Ctx, current: Subject, input: ProfileInput): Cleaned {
  const fields: Record<string, string> = {};
  const out: Cleaned = { member: {}, profile: {}, visibility: input.visibility ?? {} };
  if (input.name !== undefined) {
    const name = collapse(input.name);
    if (name.length < 2) fields.name = 'Enter your name (at least 2 characters).';
    else out.member.name = name;
  }
  if (input.jobTitle !== undefined) out.member.jobTitle = collapse(input.jobTitle);
  if (input.agency !== undefined) out.member.agency = collapse(input.agency);
  if (input.state !== undefined) {
    const state = blankToNull(input.state)?.toUpperCase() ?? null;
    if (state !== null && !(US_STATES as readonly string[]).includes(state))
      fields.state = 'Choose a US state or territory (two-letter code).';
    else out.profile.state = state;
  }
  if (input.bio !== undefined) {
    const bio = input.bio.replace(/\r\n?/g, '\n').trim();
    if (bio.length > BIO_MAX) fields.bio = `At most ${BIO_MAX.toLocaleString('en-US')} characters.`;
    else out.profile.bio = bio;
  }
  if (input.contactEmail !== undefined) {
    const value = blankToNull(input.contactEmail);
    if (value !== null && !EMAIL.test(value)) fields.contactEmail = 'Enter an e-mail address like name@agency.gov.';
    else out.profile.contactEmail = value;
  }
  if (input.contactPhone !== undefined) {
    const value = blankToNull(input.contactPhone);
    if (value !== null && !PHONE.test(value)) fields.contactPhone = 'Enter a phone number (digits, spaces, + ( ) - .).';
    else out.profile.contactPhone = value;
  }
  if (input.preferredContact !== undefined) out.profile.preferredContact = input.preferredContact;
  if (input.listed !== undefined) out.profile.listed = input.listed;
  if (input.photoImageId !== undefined) {
    if (input.photoImageId !== null) {
      const own = get(ctx.db, "SELECT 1 FROM images WHERE id = @id AND purpose = 'profile' AND uploaded_by = @me", {
        id: input.photoImageId,
        me: current.id
      });
      if (!own) fields.photoImageId = 'Upload the photo first (a profile photo of your own).';
    }
    out.profile.photoImageId = input.photoImageId;
  }
  try {
    if (input.languages !== undefined) out.profile.languages = cleanLanguages(input.languages);
    if (input.expertise !== undefined) out.expertise = cleanExpertise(input.expertise);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    Object.assign(fields, err.fields);
  }
  const preferred = out.profile.preferredContact ?? current.preferredContact;
  const email = out.profile.contactEmail !== undefined ? out.profile.contactEmail : current.contactEmail;
  const phone = out.profile.contactPhone !== undefined ? out.profile.contactPhone : current.contactPhone;
  if (preferred === 'email' && email === null && !fields.contactEmail)
    fields.contactEmail = 'Add an e-mail address to be contacted by e-mail.';
  if (preferred === 'phone' && phone === null && !fields.contactPhone)
    fields.contactPhone = 'Add a phone number to be contacted by phone.';
  const keys = Object.keys(fields);
  if (keys.length > 0) {
    const first = fields[keys[0]!]!;
    throw new Invalid(keys.length === 1 ? first : 'Some fields need attention.', fields);
  }
  return out;
}

function write(tx: Tx, memberId: number, current: Subject, c: Cleaned, now: number): void {
  const m = c.member;
  if (Object.keys(m).length > 0) {
    run(
      tx,
      `UPDATE members SET name = coalesce(@name, name), job_title = coalesce(@jobTitle, job_title),
         agency = coalesce(@agency, agency), updated_at = @now WHERE id = @id`,
      { name: m.name ?? null, jobTitle: m.jobTitle ?? null, agency: m.agency ?? null, now, id: memberId }
    );
  }
  const p = c.profile;
  const pick = <K extends keyof Subject>(key: K, value: Subject[K] | undefined): Subject[K] =>
    value === undefined ? current[key] : value;
  const visibility = { ...current.visibility, ...c.visibility };
  const columns = Object.values(VISIBILITY_COLUMNS);
  const values: Record<string, unknown> = {
    id: memberId,
    photo: pick('photoImageId', p.photoImageId),
    state: pick('state', p.state),
    bio: pick('bio', p.bio),
    languages: JSON.stringify(pick('languages', p.languages)),
    preferred: pick('preferredContact', p.preferredContact),
    email: pick('contactEmail', p.contactEmail),
    phone: pick('contactPhone', p.contactPhone),
    listed: pick('listed', p.listed) ? 1 : 0,
    now
  };
  for (const [field, column] of Object.entries(VISIBILITY_COLUMNS)) values[column] = visibility[field as ProfileField];
  run(
    tx,
    `INSERT INTO member_profiles (member_id, photo_image_id, state, bio, languages, preferred_contact, contact_email,
       contact_phone, listed, ${columns.join(', ')}, updated_at)
     VALUES (@id, @photo, @state, @bio, @languages, @preferred, @email, @phone, @listed, ${columns.map((c) => `@${c}`).join(', ')}, @now)
     ON CONFLICT (member_id) DO UPDATE SET photo_image_id = excluded.photo_image_id, state = excluded.state, bio = excluded.bio,
       languages = excluded.languages, preferred_contact = excluded.preferred_contact, contact_email = excluded.contact_email,
       contact_phone = excluded.contact_phone, listed = excluded.listed,
       ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = excluded.updated_at`,
    values
  );
  if (c.expertise !== undefined) {
    run(tx, 'DELETE FROM member_expertise WHERE member_id = @id', { id: memberId });
    for (const tag of c.expertise)
      run(tx, 'INSERT INTO member_expertise (member_id, tag) VALUES (@id, @tag)', { id: memberId, tag });
  }
}

/** Which inputs changed, for the audit (names of fields only: a bio or phone number is not audit material). */
function changedKeys(current: Subject, c: Cleaned): string[] {
  const before = ownSnapshot(current);
  const after: Record<string, unknown> = { ...before, ...c.member, ...c.profile };
  if (c.expertise !== undefined) after.expertise = c.expertise;
  const keys = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  for (const [field, level] of Object.entries(c.visibility)) {
    if (current.visibility[field as ProfileField] !== level) keys.push(`visibility.${field}`);
  }
  return keys;
}

function ownSnapshot(s: Subject): Record<string, unknown> {
  return {
    name: s.name,
    jobTitle: s.jobTitle,
    agency: s.agency,
    state: s.state,
    bio: s.bio,
    languages: s.languages,
    expertise: s.expertise,
    preferredContact: s.preferredContact,
    contactEmail: s.contactEmail,
    contactPhone: s.contactPhone,
    listed: s.listed,
    photoImageId: s.photoImageId
  };
}

export async function updateOwnProfile(ctx: Ctx, input: ProfileInput) {
  const current = mine(ctx);
  const cleaned = clean(ctx, current, input);
  if (cleaned.profile.bio !== undefined && cleaned.profile.bio !== current.bio) {
    const findings = privacyFindings(ctx, cleaned.profile.bio);
    if (findings.length > 0 && input.confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);
  }
  const memberId = current.id;
  const changed = changedKeys(current, cleaned);
  ctx.db.transaction((tx) => {
    write(tx, memberId, current, cleaned, ctx.clock.now());
    if (changed.length > 0) {
      recordAudit(tx, ctx, { action: 'profile.updated', targetType: 'member', targetId: memberId, detail: { fields: changed } });
    }
  });
  if (changed.length > 0) await ctx.bus.publish({ type: 'profile.updated', memberId });
  return getOwnProfile(ctx);
}
