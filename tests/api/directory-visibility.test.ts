import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldVisibility, ProfileField, Role } from '../../db/schema/index.ts';
import type { Actor } from '../../server/policies/index.ts';
import {
  canSeeField,
  directoryParams,
  displayNameFor,
  displayNameSql,
  fieldVisibleSql
} from '../../server/policies/directory.ts';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { allAt, givePhoto, PROFILE_FIELDS, setProfile } from '../support/directory.ts';
import { loadSubject } from '../../server/modules/directory/subjects.ts';

/**
 * The visibility rule: its JS and SQL forms agree on a grid of viewer × field × level, and a field
 * hidden at each level never leaves the server through any door (profile, list, every filter, q,
 * task-force page, global search, options, autocomplete) nor finds the member (no oracle).
 */

const LEVELS: FieldVisibility[] = ['members', 'task_force', 'staff'];

describe('the rule in JS and in SQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('agrees on every viewer × subject × field × level, and says what the rule says', async () => {
    const a = createTaskForce(t);
    const b = createTaskForce(t);
    const actor = (id: number, role: Role, taskForceId: number | null, status: Actor['status'] = 'active'): Actor => ({
      id,
      email: `v${id}@example.gov`,
      name: `Viewer ${id}`,
      role,
      status,
      taskForceId,
      discipline: 'law_enforcement',
      onboarding: status === 'active' ? null : 'mfa',
      mfaEnabled: true,
      sessionId: 's'
    });
    // Subjects: one per level (every field at it) in task force A, and one in no task force.
    const subjects: { id: number; level: FieldVisibility; taskForceId: number | null }[] = [];
    for (const taskForceId of [a.id, null]) {
      for (const level of LEVELS) {
        const m = await createMember(t, { taskForceId });
        setProfile(t, m.id, { visibility: allAt(level) });
        subjects.push({ id: m.id, level, taskForceId });
      }
    }
    const self = subjects[2]!;
    const viewers: {
      label: string;
      actor: Actor;
      sees: Record<FieldVisibility, (s: { taskForceId: number | null }) => boolean>;
    }[] = [
      {
        label: 'member of A',
        actor: actor(9001, 'member', a.id),
        sees: { members: () => true, task_force: (s) => s.taskForceId === a.id, staff: () => false }
      },
      {
        label: 'member of B',
        actor: actor(9002, 'member', b.id),
        sees: { members: () => true, task_force: () => false, staff: () => false }
      },
      {
        label: 'member of none',
        actor: actor(9003, 'member', null),
        sees: { members: () => true, task_force: () => false, staff: () => false }
      },
      {
        label: 'coordinator of A',
        actor: actor(9004, 'coordinator', a.id),
        sees: { members: () => true, task_force: (s) => s.taskForceId === a.id, staff: (s) => s.taskForceId === a.id }
      },
      {
        label: 'coordinator of B',
        actor: actor(9005, 'coordinator', b.id),
        sees: { members: () => true, task_force: () => false, staff: () => false }
      },
      ...(['moderator', 'editor', 'admin'] as const).map((role, i) => ({
        label: role,
        actor: actor(9006 + i, role, null),
        sees: { members: () => true, task_force: () => true, staff: () => true }
      })),
      {
        label: 'pending admin',
        actor: actor(9010, 'admin', a.id, 'pending'),
        sees: { members: () => false, task_force: () => false, staff: () => false }
      },
      {
        label: 'the member (a member of A)',
        actor: actor(self.id, 'member', a.id),
        sees: { members: () => true, task_force: (s) => s.taskForceId === a.id, staff: () => false }
      }
    ];
    const sqlite = t.db.$client;
    const sqlFor = (field: ProfileField) =>
      sqlite.prepare(
        `SELECT ${fieldVisibleSql(field)} AS visible, ${displayNameSql()} AS displayName
         FROM members m LEFT JOIN member_profiles p ON p.member_id = m.id WHERE m.id = @subjectId`
      );
    let cells = 0;
    for (const v of viewers) {
      for (const s of subjects) {
        const subject = loadSubject(t.db, s.id)!;
        for (const field of PROFILE_FIELDS) {
          const js = canSeeField(v.actor, subject, field);
          const row = sqlFor(field).get({ ...directoryParams(v.actor), subjectId: s.id }) as {
            visible: number;
            displayName: string;
          };
          const label = `${v.label} → ${s.level} subject in ${s.taskForceId === null ? 'no task force' : 'A'}, ${field}`;
          expect(row.visible === 1, label).toBe(js);
          const isSelf = v.actor.id === s.id && v.actor.status === 'active';
          expect(js, label).toBe(isSelf || v.sees[s.level](s));
          expect(row.displayName, label).toBe(displayNameFor(v.actor, subject));
          cells++;
        }
      }
    }
    expect(cells).toBe(viewers.length * subjects.length * PROFILE_FIELDS.length);
  });

  it('names a member by what the viewer may see', async () => {
    const m = await createMember(t, { discipline: 'victim_services', name: 'Ana Reyes' });
    const viewer: Actor = {
      id: 1,
      email: 'x@example.gov',
      name: 'X',
      role: 'member',
      status: 'active',
      taskForceId: null,
      discipline: 'other',
      onboarding: null,
      mfaEnabled: false,
      sessionId: 's'
    };
    const named = (visibility: Partial<Record<ProfileField, FieldVisibility>>, agency = 'Safe Harbor Shelter') => {
      setProfile(t, m.id, { visibility, agency });
      return displayNameFor(viewer, loadSubject(t.db, m.id)!);
    };
    expect(named({})).toBe('Ana Reyes');
    expect(named({ name: 'staff' })).toBe('A member of Safe Harbor Shelter');
    expect(named({ name: 'staff', agency: 'task_force' })).toBe('A victim services member');
    expect(named({ name: 'staff' }, '  ')).toBe('A victim services member');
    expect(named({ name: 'staff', agency: 'staff', discipline: 'staff' })).toBe('A member');
  });
});

/** Values no other fixture holds, so finding them anywhere in a reply is a leak. */
const SECRET = {
  name: 'Zephyrine Quillfeather',
  agency: 'Marrowgate Sheriff',
  jobTitle: 'Vexillology Investigator',
  state: 'WY',
  expertise: 'xylography',
  language: 'Volapuk',
  bio: 'Brindlewood snorkel',
  contactEmail: 'zq@marrowgate.example.gov',
  contactPhone: '307 555 0199',
  taskForce: 'Obsidian Ridge Task Force'
};

/** Reply keys each field shows as. */
const KEYS: Record<ProfileField, string[]> = {
  name: [],
  photo: ['photoUrl'],
  jobTitle: ['jobTitle'],
  agency: ['agency'],
  taskForce: ['taskForce'],
  discipline: ['discipline'],
  state: ['state'],
  expertise: ['expertise'],
  languages: ['languages'],
  bio: ['bioHtml'],
  contact: ['contact']
};

/** The secret strings a field holds. */
const VALUES: Partial<Record<ProfileField, string[]>> = {
  name: [SECRET.name],
  agency: [SECRET.agency],
  jobTitle: [SECRET.jobTitle],
  expertise: [SECRET.expertise],
  languages: [SECRET.language],
  bio: ['Brindlewood'],
  contact: [SECRET.contactEmail, SECRET.contactPhone]
};

/** Searches and filters that would find the member by this field's value. */
function findersFor(field: ProfileField, taskForceId: number): Record<string, string>[] {
  switch (field) {
    case 'name':
      return [{ q: 'Quillfeather' }];
    case 'agency':
      return [{ q: 'Marrowgate' }];
    case 'jobTitle':
      return [{ q: 'Vexillology' }];
    case 'bio':
      return [{ q: 'Brindlewood' }];
    case 'expertise':
      return [{ q: 'xylograph' }, { expertise: SECRET.expertise }];
    case 'languages':
      return [{ language: 'volapuk' }];
    case 'state':
      return [{ state: SECRET.state }];
    case 'discipline':
      return [{ discipline: 'prosecution' }];
    case 'taskForce':
      return [{ taskForceId: String(taskForceId) }];
    default:
      return [];
  }
}

describe.each(['task_force', 'staff'] as const)('a field hidden at level %s', (level) => {
  describe.each([...PROFILE_FIELDS])('%s', (field) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('never appears through any door and finds nobody, while an allowed viewer sees it', async () => {
      const home = createTaskForce(t, { name: SECRET.taskForce, states: ['WY'] });
      const elsewhere = createTaskForce(t, { name: 'Plain Valley Task Force' });
      const subject = await createMember(t, { taskForceId: home.id, discipline: 'prosecution', name: SECRET.name });
      const outsider = await createMember(t, { taskForceId: elsewhere.id });
      const peer = await createMember(t, { taskForceId: home.id });
      const admin = await createMember(t, { role: 'admin' });
      const photoId = await givePhoto(t, sessionCookie(t, subject.id));
      setProfile(t, subject.id, {
        name: SECRET.name,
        agency: SECRET.agency,
        jobTitle: SECRET.jobTitle,
        state: SECRET.state,
        bio: SECRET.bio,
        languages: [SECRET.language],
        expertise: [SECRET.expertise],
        preferredContact: 'email',
        contactEmail: SECRET.contactEmail,
        contactPhone: SECRET.contactPhone,
        photoImageId: photoId,
        visibility: { [field]: level }
      });
      const as = (id: number) => sessionCookie(t, id);
      const get = async (id: number, url: string, query?: Record<string, string>) => {
        const res = await call(t.app, 'GET', url, { cookie: as(id), ...(query ? { query } : {}) });
        expect(res.statusCode, `${url} ${JSON.stringify(query ?? {})}`).toBe(200);
        return res.json() as Record<string, unknown>;
      };
      const hidden = (body: unknown, where: string) => {
        // The search echoes its own words back: that is the caller's text, not the member's.
        const text = JSON.stringify({ ...(body as object), query: undefined });
        // Other members' cards may carry the key; the subject's own object must not.
        const own = findSubject(body);
        if (own !== undefined) for (const key of KEYS[field]) expect(own, `${where}: ${key}`).not.toHaveProperty(key);
        for (const value of VALUES[field] ?? []) expect(text, `${where}: ${value}`).not.toContain(value);
        if (field === 'photo') expect(text, where).not.toContain(`/api/images/${photoId}`);
      };
      const findSubject = (body: unknown): unknown => {
        let found: unknown;
        const walk = (v: unknown) => {
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v === 'object') {
            if ((v as { id?: unknown }).id === subject.id && 'displayName' in v) found = v;
            Object.values(v).forEach(walk);
          }
        };
        walk(body);
        return found;
      };
      const listed = (body: Record<string, unknown>) => (body.members as { id: number }[]).some((m) => m.id === subject.id);

      // The profile page.
      const profile = await get(outsider.id, `/api/members/${subject.id}`);
      hidden(profile, 'profile');
      expect(findSubject(profile), 'profile has the subject').toBeDefined();

      // The list, unfiltered: the member is there, without the field.
      const list = await get(outsider.id, '/api/members');
      expect(listed(list), 'listed').toBe(true);
      hidden(list, 'list');

      // Each filter and each q that the hidden value would satisfy finds nobody.
      for (const finder of findersFor(field, home.id)) {
        const found = await get(outsider.id, '/api/members', finder);
        expect(listed(found), `outsider finds by ${JSON.stringify(finder)}`).toBe(false);
        hidden(found, `filtered ${JSON.stringify(finder)}`);
        // …while a viewer allowed to see the field does find the member (the finder is real).
        const allowed = await get(level === 'task_force' ? peer.id : admin.id, '/api/members', finder);
        expect(listed(allowed), `allowed viewer finds by ${JSON.stringify(finder)}`).toBe(true);
      }

      // The task force's page.
      const page = await get(outsider.id, `/api/task-forces/${home.id}`);
      hidden(page, 'task-force page');
      if (field === 'taskForce') {
        expect(listed(page), 'on the task-force page').toBe(false);
        expect((page.taskForce as { listedMemberCount: number }).listedMemberCount).toBe(1);
        const all = await get(outsider.id, '/api/task-forces');
        const counted = (all.taskForces as { id: number; listedMemberCount: number }[]).find((x) => x.id === home.id)!;
        expect(counted.listedMemberCount).toBe(1);
        const allowedPage = await get(level === 'task_force' ? peer.id : admin.id, `/api/task-forces/${home.id}`);
        expect(listed(allowedPage)).toBe(true);
      } else {
        expect(listed(page), 'on the task-force page').toBe(true);
      }

      // Global search.
      for (const finder of findersFor(field, home.id).filter((f) => f.q)) {
        const search = await get(outsider.id, '/api/search', { q: finder.q! });
        expect(
          (search.members as { id: number }[]).map((m) => m.id),
          `search ${finder.q}`
        ).not.toContain(subject.id);
        hidden(search, `search ${finder.q}`);
        const allowedSearch = await get(level === 'task_force' ? peer.id : admin.id, '/api/search', { q: finder.q! });
        expect((allowedSearch.members as { id: number }[]).map((m) => m.id)).toContain(subject.id);
      }
      const byName = await get(outsider.id, '/api/search', { q: 'Zephyrine' });
      hidden(byName, 'search by name');

      // The filter options and the expertise autocomplete.
      const options = await get(outsider.id, '/api/directory/options');
      hidden(options, 'options');
      if (field === 'state') expect(options.states).toEqual([]);
      if (field === 'discipline') {
        expect((options.disciplines as { value: string; count: number }[]).find((d) => d.value === 'prosecution')!.count).toBe(0);
      }
      const suggestions = await get(outsider.id, '/api/directory/expertise', { q: 'xylo' });
      if (field === 'expertise') expect(suggestions.tags).toEqual([]);
      else expect(suggestions.tags).toEqual([{ tag: SECRET.expertise, count: 1 }]);

      // The photo itself.
      const photo = await call(t.app, 'GET', `/api/images/${photoId}`, { cookie: as(outsider.id) });
      expect(photo.statusCode, 'photo').toBe(field === 'photo' ? 404 : 200);

      // The allowed viewer sees the field on the profile.
      const allowedProfile = await get(level === 'task_force' ? peer.id : admin.id, `/api/members/${subject.id}`);
      const shown = findSubject(allowedProfile) as Record<string, unknown>;
      for (const key of KEYS[field]) expect(shown, `allowed sees ${key}`).toHaveProperty(key);
      if (field === 'name') expect(shown.displayName).toBe(SECRET.name);
      else expect((profile.member as { displayName: string }).displayName).toBe(SECRET.name);
    });
  });
});
