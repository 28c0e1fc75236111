import { PROFILE_FIELDS, type ContactPreference, type Discipline } from '../../../db/schema/index.ts';
import type { Actor } from '../../policies/index.ts';
import { canSeeField, displayNameFor } from '../../policies/directory.ts';
import { renderMarkdown } from '../../shared/markdown.ts';
import type { Subject } from './subjects.ts';

/**
 * What a viewer gets of a member. A field the viewer may not see is left out of the object (never
 * null): the web cannot show what is not there. Every door (card, profile, task-force page, search)
 * builds its reply here, through the one rule in server/policies/directory.ts.
 */

export const imageUrl = (id: number) => `/api/images/${id}`;

export interface MemberCard {
  id: number;
  displayName: string;
  photoUrl?: string;
  jobTitle?: string;
  agency?: string;
  taskForce?: { id: number; name: string } | null;
  discipline?: Discipline;
  state?: string | null;
  expertise?: string[];
}

export function memberCard(viewer: Actor | null, s: Subject): MemberCard {
  const sees = (field: (typeof PROFILE_FIELDS)[number]) => canSeeField(viewer, s, field);
  const card: MemberCard = { id: s.id, displayName: displayNameFor(viewer, s) };
  if (sees('photo') && s.photoImageId !== null) card.photoUrl = imageUrl(s.photoImageId);
  if (sees('jobTitle')) card.jobTitle = s.jobTitle;
  if (sees('agency')) card.agency = s.agency;
  if (sees('taskForce')) card.taskForce = s.taskForceId === null ? null : { id: s.taskForceId, name: s.taskForceName ?? '' };
  if (sees('discipline')) card.discipline = s.discipline;
  if (sees('state')) card.state = s.state;
  if (sees('expertise')) card.expertise = s.expertise;
  return card;
}

export interface MemberProfileView extends MemberCard {
  languages?: string[];
  bioHtml?: string;
  contact?: { preferred: ContactPreference; email?: string; phone?: string };
  canMessage: boolean;
  isMe: boolean;
  status?: Subject['status'];
}

export function memberProfile(viewer: Actor, s: Subject, opts: { showStatus: boolean }): MemberProfileView {
  const view: MemberProfileView = {
    ...memberCard(viewer, s),
    canMessage: s.status === 'active' && s.id !== viewer.id,
    isMe: s.id === viewer.id
  };
  if (canSeeField(viewer, s, 'languages')) view.languages = s.languages;
  if (canSeeField(viewer, s, 'bio')) view.bioHtml = renderMarkdown(s.bio).html;
  if (canSeeField(viewer, s, 'contact')) {
    view.contact = {
      preferred: s.preferredContact,
      ...(s.contactEmail ? { email: s.contactEmail } : {}),
      ...(s.contactPhone ? { phone: s.contactPhone } : {})
    };
  }
  if (opts.showStatus) view.status = s.status;
  return view;
}

/** The owner's own view: every field, each with its visibility. */
export function ownProfile(s: Subject) {
  return {
    memberId: s.id,
    name: s.name,
    email: s.email,
    jobTitle: s.jobTitle,
    agency: s.agency,
    taskForce: s.taskForceId === null ? null : { id: s.taskForceId, name: s.taskForceName ?? '' },
    discipline: s.discipline,
    state: s.state,
    bio: s.bio,
    bioHtml: renderMarkdown(s.bio).html,
    languages: s.languages,
    expertise: s.expertise,
    preferredContact: s.preferredContact,
    contactEmail: s.contactEmail,
    contactPhone: s.contactPhone,
    listed: s.listed,
    photoImageId: s.photoImageId,
    photoUrl: s.photoImageId === null ? null : imageUrl(s.photoImageId),
    visibility: s.visibility,
    updatedAt: s.updatedAt
  };
}
