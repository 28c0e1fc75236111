import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../db/schema/index.ts';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { allAt, givePhoto, setProfile } from '../support/directory.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

describe('my profile', () => {
  it('starts from the defaults and saves every field with its visibility, audited and announced', async () => {
    const tf = createTaskForce(t, { name: 'Gulf Coast Task Force' });
    const me = await createMember(t, { taskForceId: tf.id, discipline: 'prosecution', name: 'Rosa Alvarez' });
    const cookie = sessionCookie(t, me.id);
    const events: unknown[] = [];
    t.deps.bus.on('profile.updated', (e) => void events.push(e));

    const first = await call(t.app, 'GET', '/api/profile', { cookie });
    expect(first.statusCode).toBe(200);
    expect(first.json().profile).toMatchObject({
      memberId: me.id,
      name: 'Rosa Alvarez',
      taskForce: { id: tf.id, name: 'Gulf Coast Task Force' },
      discipline: 'prosecution',
      state: null,
      listed: true,
      languages: [],
      expertise: [],
      preferredContact: 'message',
      visibility: allAt('members')
    });

    const put = await call(t.app, 'PUT', '/api/profile', {
      cookie,
      body: {
        name: '  Rosa   Alvarez ',
        jobTitle: 'Assistant District Attorney',
        agency: 'Harris County DA',
        state: 'tx',
        bio: 'I prosecute **labor trafficking** cases.',
        languages: ['Spanish', 'spanish', ' English '],
        expertise: ['Labor Trafficking', 'labor trafficking', 'T-Visa  Certification'],
        preferredContact: 'email',
        contactEmail: 'rosa@da.example.gov',
        contactPhone: '',
        listed: true,
        visibility: { name: 'task_force', contact: 'staff' }
      }
    });
    expect(put.statusCode).toBe(200);
    const saved = put.json().profile;
    expect(saved).toMatchObject({
      name: 'Rosa Alvarez',
      jobTitle: 'Assistant District Attorney',
      state: 'TX',
      languages: ['Spanish', 'English'],
      expertise: ['labor trafficking', 't-visa certification'],
      preferredContact: 'email',
      contactEmail: 'rosa@da.example.gov',
      contactPhone: null,
      visibility: { ...allAt('members'), name: 'task_force', contact: 'staff' }
    });
    expect(saved.bioHtml).toContain('<strong>labor trafficking</strong>');

    await t.deps.bus.idle();
    expect(events).toEqual([{ type: 'profile.updated', memberId: me.id }]);
    const audit = t.db
      .select()
      .from(auditLog)
      .all()
      .filter((a) => a.action === 'profile.updated');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ fields: expect.arrayContaining(['jobTitle', 'bio', 'visibility.name']) });
    // The audit names fields, never their contents.
    expect(JSON.stringify(audit[0]!.detail)).not.toContain('labor trafficking');

    // Omitted keys keep their values.
    const partial = await call(t.app, 'PUT', '/api/profile', { cookie, body: { jobTitle: 'Chief, Trafficking Unit' } });
    expect(partial.json().profile).toMatchObject({
      jobTitle: 'Chief, Trafficking Unit',
      state: 'TX',
      languages: ['Spanish', 'English']
    });
  });

  it('refuses what the membership decides, bad values, and a photo that is not mine', async () => {
    const me = await createMember(t);
    const other = await createMember(t);
    const cookie = sessionCookie(t, me.id);
    const put = (body: unknown) => call(t.app, 'PUT', '/api/profile', { cookie, body });

    expect((await put({ taskForceId: 3 })).statusCode).toBe(400);
    expect((await put({ discipline: 'prosecution' })).statusCode).toBe(400);
    expect((await put({ visibility: { name: 'everyone' } })).statusCode).toBe(400);
    expect((await put({ visibility: { email: 'members' } })).statusCode).toBe(400);

    const state = await put({ state: 'ZZ' });
    expect(state.statusCode).toBe(400);
    expect(state.json().error.fields.state).toBeTruthy();
    expect((await put({ state: 'PR' })).statusCode).toBe(200);
    expect((await put({ state: 'dc' })).json().profile.state).toBe('DC');

    expect((await put({ name: 'A' })).json().error.fields.name).toBeTruthy();
    expect(
      (await put({ languages: Array.from({ length: 11 }, (_, i) => `Language ${i}`) })).json().error.fields.languages
    ).toBeTruthy();
    expect(
      (await put({ expertise: Array.from({ length: 16 }, (_, i) => `topic ${i}`) })).json().error.fields.expertise
    ).toBeTruthy();
    expect((await put({ preferredContact: 'phone', contactPhone: null })).json().error.fields.contactPhone).toBeTruthy();
    expect((await put({ contactEmail: 'not an address' })).json().error.fields.contactEmail).toBeTruthy();
    expect((await put({ bio: 'x'.repeat(5001) })).json().error.fields.bio).toBeTruthy();

    const theirs = await givePhoto(t, sessionCookie(t, other.id));
    const stolen = await put({ photoImageId: theirs });
    expect(stolen.statusCode).toBe(400);
    expect(stolen.json().error.fields.photoImageId).toBeTruthy();
    expect((await put({ photoImageId: 999_999 })).statusCode).toBe(400);
    const mine = await givePhoto(t, cookie);
    expect((await call(t.app, 'GET', '/api/profile', { cookie })).json().profile).toMatchObject({
      photoImageId: mine,
      photoUrl: `/api/images/${mine}`
    });
    expect((await put({ photoImageId: null })).json().profile.photoUrl).toBeNull();
  });

  it('asks before saving a bio that looks like it names a victim, and saves once confirmed', async () => {
    const me = await createMember(t);
    const cookie = sessionCookie(t, me.id);
    const bio = 'Ask me about the case of the girl born 03/14/2009 at 1200 Elm Street.';
    const asked = await call(t.app, 'PUT', '/api/profile', { cookie, body: { bio } });
    expect(asked.statusCode).toBe(422);
    expect(asked.json().error.code).toBe('privacy_check');
    expect(asked.json().error.findings.length).toBeGreaterThan(0);
    expect((await call(t.app, 'GET', '/api/profile', { cookie })).json().profile.bio).toBe('');

    const confirmed = await call(t.app, 'PUT', '/api/profile', { cookie, body: { bio, confirmPrivacy: true } });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().profile.bio).toBe(bio);
  });

  it('renders the bio as sanitized HTML', async () => {
    const me = await createMember(t);
    const viewer = await createMember(t);
    const cookie = sessionCookie(t, me.id);
    await call(t.app, 'PUT', '/api/profile', {
      cookie,
      body: { bio: 'Hello <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>' }
    });
    const view = await call(t.app, 'GET', `/api/members/${me.id}`, { cookie: sessionCookie(t, viewer.id) });
    const html = view.json().member.bioHtml as string;
    // Escaped to text: no element, attribute or link survives.
    expect(html).not.toMatch(/<script|<img|href=/i);
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('a member’s profile page', () => {
  it('shows what the viewer may see, contact by preference, and whether a message can be sent', async () => {
    const tf = createTaskForce(t, { name: 'Bay Area Task Force' });
    const subject = await createMember(t, { taskForceId: tf.id, name: 'Sam Okafor', discipline: 'victim_services' });
    const viewer = await createMember(t);
    setProfile(t, subject.id, {
      state: 'CA',
      bio: 'Shelter **advocate**.',
      languages: ['Tagalog'],
      expertise: ['shelter'],
      preferredContact: 'phone',
      contactPhone: '+1 415 555 0100',
      contactEmail: 'sam@shelter.example.org'
    });
    const res = await call(t.app, 'GET', `/api/members/${subject.id}`, { cookie: sessionCookie(t, viewer.id) });
    expect(res.statusCode).toBe(200);
    expect(res.json().member).toEqual({
      id: subject.id,
      displayName: 'Sam Okafor',
      jobTitle: 'Detective',
      agency: 'Example Police Department',
      taskForce: { id: tf.id, name: 'Bay Area Task Force' },
      discipline: 'victim_services',
      state: 'CA',
      expertise: ['shelter'],
      languages: ['Tagalog'],
      bioHtml: '<p>Shelter <strong>advocate</strong>.</p>',
      contact: { preferred: 'phone', email: 'sam@shelter.example.org', phone: '+1 415 555 0100' },
      canMessage: true,
      isMe: false
    });
    const own = await call(t.app, 'GET', `/api/members/${subject.id}`, { cookie: sessionCookie(t, subject.id) });
    expect(own.json().member).toMatchObject({ canMessage: false, isMe: true });
  });

  it('is not found for members who are not active, except to directory staff', async () => {
    const tfA = createTaskForce(t);
    const tfB = createTaskForce(t);
    const viewer = await createMember(t, { taskForceId: tfA.id });
    const admin = await createMember(t, { role: 'admin' });
    const coordinatorA = await createMember(t, { role: 'coordinator', taskForceId: tfA.id });
    const coordinatorB = await createMember(t, { role: 'coordinator', taskForceId: tfB.id });
    for (const status of ['pending', 'suspended', 'expired', 'disabled'] as const) {
      const gone = await createMember(t, { status, taskForceId: tfA.id });
      const get = (id: number) => call(t.app, 'GET', `/api/members/${gone.id}`, { cookie: sessionCookie(t, id) });
      expect((await get(viewer.id)).statusCode, status).toBe(404);
      expect((await get(coordinatorB.id)).statusCode, status).toBe(404);
      const seen = await get(admin.id);
      expect(seen.statusCode).toBe(200);
      expect(seen.json().member).toMatchObject({ status, canMessage: false });
      expect((await get(coordinatorA.id)).json().member.status).toBe(status);
    }
    expect((await call(t.app, 'GET', '/api/members/999999', { cookie: sessionCookie(t, viewer.id) })).statusCode).toBe(404);
  });

  it('opens an unlisted member by id (mentions and messages link there)', async () => {
    const subject = await createMember(t);
    const viewer = await createMember(t);
    setProfile(t, subject.id, { listed: false });
    const res = await call(t.app, 'GET', `/api/members/${subject.id}`, { cookie: sessionCookie(t, viewer.id) });
    expect(res.statusCode).toBe(200);
  });
});
