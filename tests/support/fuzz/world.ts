import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse as Response } from 'fastify';
import { createDb } from '../../../db/client.ts';
import { members } from '../../../db/schema/index.ts';
import { buildApp } from '../../../server/app.ts';
import { loadConfig } from '../../../server/config.ts';
import type { Deps } from '../../../server/context.ts';
import { OutboxMailer } from '../../../server/mail/mailer.ts';
import type { Actor } from '../../../server/policies/index.ts';
import { FakeClock } from '../../../server/shared/clock.ts';
import { call, makeApp, TEST_ENV, TEST_SECRET_KEY, type TestApp } from '../app.ts';
import { createMember, createTaskForce, PASSWORD } from '../factories.ts';
import { SESSION_COOKIE, type FuzzRequest } from './request.ts';
import type { Hints } from './schema.ts';

/** An error the app logged, with its stack: what a 5xx report needs. */
export interface LoggedError {
  msg: string;
  stack: string;
}

interface Person {
  id: number;
  email: string;
  token: string;
  /** The row as seeded: restored when the fuzz suspends, demotes or un-enrols this person. */
  row: typeof members.$inferSelect;
}

/** One app with a small community in it, the fuzz's admin and member, and the errors it logged. */
export interface World {
  app: FastifyInstance;
  deps: Deps;
  hints: Hints;
  /** Sends the request with a live session; `actor` is who the server sees (null when the cookie is forged or absent). */
  send(req: FuzzRequest): Promise<{ res: Response; actor: Actor | null }>;
  /** Errors logged since the last call. */
  takeErrors(): LoggedError[];
  close(): Promise<void>;
}

function errorCapture() {
  const errors: LoggedError[] = [];
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { stack?: string; message?: string } };
          if ((entry.level ?? 0) >= 50)
            errors.push({ msg: entry.msg ?? '', stack: entry.err?.stack ?? entry.err?.message ?? line });
        } catch {
          errors.push({ msg: 'unparseable log line', stack: line });
        }
      }
      done();
    }
  });
  return { stream, errors };
}

const APPLICANT = 'fuzz.applicant@sheriff.example.gov';

async function expectOk(res: Response, what: string): Promise<Record<string, unknown>> {
  if (res.statusCode >= 300) throw new Error(`fuzz seed: ${what} → ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Categories, threads, replies, a flag, a bookmark, drafts and a membership request: so ids 1..n point at real rows. */
async function seedCommunity(t: TestApp, admin: Person, member: Person, taskForceId: number): Promise<void> {
  const as = (p: Person) => ({ cookie: `${SESSION_COOKIE}=${p.token}` });
  const categories: number[] = [];
  for (const [i, restricted] of [false, true].entries()) {
    const res = await call(t.app, 'POST', '/api/admin/categories', {
      ...as(admin),
      body: {
        name: `Fuzz category ${i + 1}`,
        description: 'Seeded for the fuzz test.',
        position: i,
        colour: '#1f5f8b',
        taskForceIds: restricted ? [taskForceId] : [],
        disciplines: []
      }
    });
    categories.push((await expectOk(res, 'category')).id as number);
  }
  for (const categoryId of categories) {
    const thread = await expectOk(
      await call(t.app, 'POST', `/api/discussions/categories/${categoryId}/threads`, {
        ...as(member),
        body: { title: 'Interview practice across task forces', body: 'What has worked for you? @admin' }
      }),
      'thread'
    );
    const threadId = thread.threadId as number;
    const replied = await expectOk(
      await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
        ...as(admin),
        body: { body: 'Trauma-informed approaches, mostly. **Bold** and [a link](https://example.gov).' }
      }),
      'reply'
    );
    const postId = replied.postId as number;
    await expectOk(
      await call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, {
        ...as(member),
        body: { reason: 'off_topic', note: 'seed' }
      }),
      'flag'
    );
    await expectOk(
      await call(t.app, 'POST', `/api/discussions/posts/${postId}/bookmark`, { ...as(member), body: { bookmarked: true } }),
      'bookmark'
    );
    await expectOk(
      await call(t.app, 'PUT', `/api/discussions/threads/${threadId}/draft`, { ...as(member), body: { body: 'half a thought' } }),
      'draft'
    );
  }
  // Issue 6: a profile, a conversation with a flagged message, a suggestion with a vote, a spotlight draft.
  await expectOk(
    await call(t.app, 'PUT', '/api/profile', {
      ...as(member),
      body: { jobTitle: 'Detective', state: 'TX', expertise: ['labor trafficking'], languages: ['Spanish'] }
    }),
    'profile'
  );
  const sent = await expectOk(
    await call(t.app, 'POST', '/api/messages', { ...as(member), body: { to: admin.id, body: 'Can we talk about the MOU?' } }),
    'message'
  );
  const messages = await expectOk(
    await call(t.app, 'GET', `/api/messages/conversations/${sent.conversationId as number}`, as(admin)),
    'conversation'
  );
  const messageId = (messages.messages as { id: number }[])[0]!.id;
  await expectOk(
    await call(t.app, 'POST', `/api/messages/${messageId}/flag`, { ...as(admin), body: { reason: 'other', note: 'seed' } }),
    'message flag'
  );
  const suggestion = await expectOk(
    await call(t.app, 'POST', '/api/suggestions', {
      ...as(member),
      body: { title: 'A shared calendar of trainings', description: 'So task forces can join each other.' }
    }),
    'suggestion'
  );
  await expectOk(
    await call(t.app, 'POST', `/api/suggestions/${suggestion.id as number}/vote`, { ...as(admin), body: { vote: true } }),
    'vote'
  );
  await expectOk(
    await call(t.app, 'POST', '/api/spotlights', {
      ...as(admin),
      body: { kind: 'practice', title: 'Promising practice: joint intake', summary: 'How two agencies share intake.' }
    }),
    'spotlight'
  );
  const email = APPLICANT;
  await expectOk(
    await call(t.app, 'POST', '/api/membership-requests', {
      body: {
        fullName: 'Fuzz Applicant',
        email,
        agency: 'Example County Sheriff',
        jobTitle: 'Detective',
        discipline: 'law_enforcement',
        taskForceId,
        supervisorName: 'Sgt. Lee Park',
        supervisorContact: 'lee.park@sheriff.example.gov',
        reason: 'Seeded so the review routes have a request to work on.'
      }
    }),
    'membership request'
  );
  await t.deps.bus.idle();
  await expectOk(
    await call(t.app, 'POST', '/api/membership-requests/confirm', {
      body: { token: t.linkFor(email, '/request-access/confirm') }
    }),
    'confirm request'
  );
  await t.deps.bus.idle();
}

/** No posting interval: the fuzz posts many times a second and should reach the services, not the limiter. */
const FUZZ_ENV = { POST_INTERVAL_SECONDS: '0', THREADS_PER_DAY: '10000' };

/** The seeded community as bytes: each route's world starts from an identical copy, without re-seeding. */
interface Snapshot {
  bytes: Buffer;
  now: number;
  admin: Person;
  member: Person;
}

let snapshot: Promise<Snapshot> | undefined;

async function seed(): Promise<Snapshot> {
  const t = await makeApp({ env: FUZZ_ENV });
  try {
    const taskForce = createTaskForce(t);
    const person = async (role: 'admin' | 'member'): Promise<Person> => {
      const m = await createMember(t, { role, taskForceId: taskForce.id });
      const row = t.db.select().from(members).where(eq(members.id, m.id)).get()!;
      return { id: m.id, email: m.email, token: t.deps.sessions.create(m.id, '127.0.0.1', 'fuzz').token, row };
    };
    const admin = await person('admin');
    const member = await person('member');
    // Targets for the admin routes besides the fuzz's own two.
    await createMember(t, { role: 'moderator', taskForceId: taskForce.id });
    await createMember(t, { status: 'suspended' });
    await createMember(t, { status: 'pending', noticeAccepted: false });
    await seedCommunity(t, admin, member, taskForce.id);
    return { bytes: t.db.$client.serialize(), now: t.clock.now(), admin, member };
  } finally {
    await t.close();
  }
}

export async function makeWorld(): Promise<World> {
  const seeded = await (snapshot ??= seed());
  const capture = errorCapture();
  const db = createDb(seeded.bytes);
  const clock = new FakeClock(seeded.now);
  const app = await buildApp({
    db,
    config: loadConfig({ ...TEST_ENV, ...FUZZ_ENV }),
    clock,
    secretKey: TEST_SECRET_KEY,
    mailer: new OutboxMailer(db, clock, () => {}),
    logger: { level: 'error', stream: capture.stream }
  });
  await app.ready();
  const admin = { ...seeded.admin };
  const member = { ...seeded.member };

  const expected = { admin: 'admin', member: 'member' } as const;
  /** Brings a person back to their seeded self and a live session if the fuzz changed either. */
  const ensure = (p: Person, role: 'admin' | 'member'): Actor => {
    let actor = app.deps.sessions.validate(p.token);
    // A setting (requireMfaForAll) can put the plain member into onboarding: still a member worth fuzzing as.
    const healthy = actor && actor.role === role && actor.status === 'active' && (role === 'member' || actor.onboarding === null);
    if (actor && healthy) return actor;
    const { id: _id, createdAt: _c, ...row } = p.row;
    db.update(members).set(row).where(eq(members.id, p.id)).run();
    p.token = app.deps.sessions.create(p.id, '127.0.0.1', 'fuzz').token;
    actor = app.deps.sessions.validate(p.token);
    if (!actor || (role === 'admin' && actor.onboarding !== null)) {
      throw new Error(`fuzz: could not restore the ${role}: ${JSON.stringify(actor)}`);
    }
    return actor;
  };

  const people = { admin, member };
  return {
    app,
    deps: app.deps,
    hints: { password: PASSWORD, emails: [admin.email, member.email, APPLICANT] },
    async send(req) {
      const p = req.who === 'signed-out' ? null : people[req.who];
      const live = p && req.who !== 'signed-out' ? ensure(p, expected[req.who]) : null;
      const own = p ? `${SESSION_COOKIE}=${p.token}` : null;
      const parts =
        req.cookieMode === 'own'
          ? [own]
          : req.cookieMode === 'with-junk'
            ? [own, req.junkCookies]
            : req.cookieMode === 'forged-first'
              ? [req.junkCookies, own]
              : [req.junkCookies];
      const cookie = parts.filter(Boolean).join('; ');
      const actor = req.cookieMode === 'own' || req.cookieMode === 'with-junk' ? live : null;
      const res = await app.inject({
        method: req.method as 'GET',
        url: req.url,
        headers: { ...req.headers, ...(cookie ? { cookie } : {}) },
        ...(req.body.text !== undefined ? { payload: req.body.text } : {})
      });
      return { res, actor };
    },
    takeErrors() {
      return capture.errors.splice(0);
    },
    async close() {
      await app.deps.bus.idle();
      await app.close();
      db.$client.close();
    }
  };
}
