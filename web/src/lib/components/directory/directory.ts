/**
 * The directory's shapes as the API sends them (see /api/members, /api/profile, /api/task-forces).
 * A field the viewer may not see is absent: the pages show what is there and never guess.
 */

export type Visibility = 'members' | 'task_force' | 'staff';
export type ContactPreference = 'message' | 'email' | 'phone';

export const PROFILE_FIELDS = [
  'name',
  'photo',
  'jobTitle',
  'agency',
  'taskForce',
  'discipline',
  'state',
  'expertise',
  'languages',
  'bio',
  'contact'
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const VISIBILITY_LABELS: Record<Visibility, string> = {
  members: 'All members',
  task_force: 'My task force',
  staff: 'Staff only'
};
export const VISIBILITIES = Object.keys(VISIBILITY_LABELS) as Visibility[];

/** "Who can see <field>": the field as a member would name it. */
export const FIELD_NAMES: Record<ProfileField, string> = {
  name: 'your name',
  photo: 'your photo',
  jobTitle: 'your job title',
  agency: 'your agency',
  taskForce: 'your task force',
  discipline: 'your discipline',
  state: 'your state',
  expertise: 'your areas of expertise',
  languages: 'your languages',
  bio: 'your bio',
  contact: 'your contact details'
};

export const CONTACT_LABELS: Record<ContactPreference, string> = {
  message: 'A message on Task Force Connect',
  email: 'E-mail',
  phone: 'Phone'
};

export interface MemberCard {
  id: number;
  displayName: string;
  photoUrl?: string | null;
  jobTitle?: string;
  agency?: string;
  taskForce?: { id: number; name: string } | null;
  discipline?: string;
  state?: string | null;
  expertise?: string[];
}

export interface MemberProfile extends MemberCard {
  languages?: string[];
  bioHtml?: string;
  contact?: { preferred: ContactPreference; email?: string; phone?: string };
  canMessage: boolean;
  isMe: boolean;
  status?: string;
}

export interface MyProfile {
  memberId: number;
  name: string;
  email: string;
  jobTitle: string;
  agency: string;
  taskForce: { id: number; name: string } | null;
  discipline: string;
  state: string | null;
  bio: string;
  bioHtml: string;
  languages: string[];
  expertise: string[];
  preferredContact: ContactPreference;
  contactEmail: string | null;
  contactPhone: string | null;
  listed: boolean;
  photoImageId: number | null;
  photoUrl: string | null;
  visibility: Record<ProfileField, Visibility>;
  updatedAt: number | null;
}

export interface TaskForceSummary {
  id: number;
  name: string;
  states: string[];
  region: string;
  leadAgency: string;
  listedMemberCount: number;
}

export interface TaskForcePage {
  taskForce: TaskForceSummary & { description: string };
  members: MemberCard[];
  resources: { id: number; title: string; kind: 'file' | 'link'; type?: string; summary: string; updatedAt: number }[];
  spotlights: { id: number; kind: string; title: string; summary: string; week: string; publishedAt: number }[];
}

export interface DirectoryOptions {
  disciplines: { value: string; label: string; count: number }[];
  states: { code: string; count: number }[];
  languages: { name: string; count: number }[];
  expertise: { tag: string; count: number }[];
  taskForces: { id: number; name: string }[];
}

/** Comma-separated text as typed → the list the API takes (blank entries and repeats dropped). */
export function listFrom(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item && !seen.has(item.toLowerCase())) {
      seen.add(item.toLowerCase());
      out.push(item);
    }
  }
  return out;
}

/** Every code a task force or profile may use (server/modules/taskForces US_STATES). */
export const STATE_NAMES: Record<string, string> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'District of Columbia',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
  PR: 'Puerto Rico',
  GU: 'Guam',
  VI: 'U.S. Virgin Islands',
  AS: 'American Samoa',
  MP: 'Northern Mariana Islands'
};

export const stateName = (code: string | null | undefined): string => (code ? (STATE_NAMES[code] ?? code) : '');
