import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createDb, runMigrations } from '../../db/client.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { systemClock } from '../../server/shared/clock.ts';
import { generateToken, hashToken } from '../../server/shared/tokens.ts';
import { childEnv, CHILD_ORIGIN, CRASH_SECRET_KEY } from './server.ts';

/**
 * The data directory every crash chain starts from, made once per harness run: members with sessions
 * minted by the SessionStore (two-step sign-in is not what is being tested), one public category the
 * watcher watches, threads the watcher watches, and membership requests waiting for a decision.
 */

export interface Signed {
  id: number;
  /** The raw session token (the cookie value). */
  token: string;
}

export interface Fixture {
  categoryId: number;
  /** Never writes: receives a reply notification for every reply and a new-thread one for every thread. */
  watcher: Signed;
  admin: Signed;
  writers: Signed[];
  threads: { id: number; postId: number; authorId: number }[];
  /** Submitted requests, decided one each by the load (never twice: a decision is not retried). */
  requestIds: number[];
}

export const SESSION_COOKIE = 'tfc_session';
export const DB_FILE = 'tfc.sqlite';

const WRITERS = 24;
const THREADS = 12;

export async function prepareTemplate(dir: string, requests: number): Promise<Fixture> {
  mkdirSync(path.join(dir, 'files'), { recursive: true });
  const db = createDb(path.join(dir, DB_FILE));
  runMigrations(db);
  const config = loadConfig(childEnv(dir, 3000, { LOG_LEVEL: 'silent' }));
  const app = await buildApp({
    db,
    config,
    secretKey: CRASH_SECRET_KEY,
    logger: false,
    mailer: new OutboxMailer(db, systemClock, () => {})
  });
  await app.ready();
  try {
    const sqlite = db.$client;
    const now = Date.now();
    // Raw SQL, naming only long-standing columns: the schema may be mid-change in the working tree.
    const insertMember = sqlite.prepare(
      `INSERT INTO members (email, name, agency, job_title, discipline, role, status, mfa_enabled_at, notice_accepted_at,
         last_active_at, created_at, updated_at)
       VALUES (@email, @name, 'Example Police Department', 'Detective', 'law_enforcement', @role, 'active', @mfa, @now, @now, @now, @now)`
    );
    const member = (label: string, role: 'member' | 'admin'): Signed => {
      const id = Number(
        insertMember.run({
          email: `crash.${label}@example.gov`,
          name: `Crash ${label.replace(/\./g, ' ')}`,
          role,
          mfa: role === 'admin' ? now : null,
          now
        }).lastInsertRowid
      );
      return { id, token: app.deps.sessions.create(id, '127.0.0.1', 'crash-harness').token };
    };
    const admin = member('admin', 'admin');
    const watcher = member('watcher', 'member');
    const writers = Array.from({ length: WRITERS }, (_, i) => member(`writer.${i + 1}`, 'member'));
    const categoryId = Number(
      sqlite
        .prepare(
          `INSERT INTO categories (name, description, position, created_at, updated_at) VALUES ('Crash harness', 'Durability checks', 1, ?, ?)`
        )
        .run(now, now).lastInsertRowid
    );

    const send = async (who: Signed, method: 'POST', url: string, body: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { cookie: `${SESSION_COOKIE}=${who.token}`, origin: CHILD_ORIGIN, 'content-type': 'application/json' },
        payload: JSON.stringify(body)
      });
      if (res.statusCode >= 300) throw new Error(`setup: ${method} ${url} answered ${res.statusCode}: ${res.body}`);
      return res.json() as Record<string, number>;
    };
    await send(watcher, 'POST', `/api/discussions/categories/${categoryId}/notification-level`, { level: 'watching' });
    const threads: Fixture['threads'] = [];
    for (let i = 0; i < THREADS; i++) {
      const author = writers[i % writers.length]!;
      const created = await send(author, 'POST', `/api/discussions/categories/${categoryId}/threads`, {
        title: `Shelter referral practice number ${i + 1}`,
        body: 'How does your task force hand over a referral to the shelter partners at night?'
      });
      await send(watcher, 'POST', `/api/discussions/threads/${created.threadId}/notification-level`, { level: 'watching' });
      threads.push({ id: created.threadId!, postId: created.postId!, authorId: author.id });
    }

    const insertRequest = sqlite.prepare(
      `INSERT INTO membership_requests (email, full_name, agency, job_title, discipline, supervisor_name, supervisor_contact,
         reason, status, status_token_hash, status_token_sealed, confirmed_at, created_at, updated_at)
       VALUES (@email, @name, 'Example Sheriff Office', 'Victim advocate', 'victim_services', 'Pat Supervisor',
         'supervisor@sheriff.example.gov', 'I coordinate the victim services of our task force.', 'submitted',
         @hash, @sealed, @now, @now, @now)`
    );
    const requestIds = sqlite.transaction(() =>
      Array.from({ length: requests }, (_, i) => {
        const statusToken = generateToken();
        return Number(
          insertRequest.run({
            email: `applicant.${i + 1}@sheriff.example.gov`,
            name: `Applicant Number ${i + 1}`,
            hash: hashToken(statusToken),
            sealed: app.deps.box.seal(new TextEncoder().encode(statusToken)),
            now
          }).lastInsertRowid
        );
      })
    )();
    const fixture: Fixture = { categoryId, watcher, admin, writers, threads, requestIds };
    return fixture;
  } finally {
    await app.close();
    // The last connection to close checkpoints the WAL into the file: copies of the directory start clean.
    db.$client.close();
  }
}
