import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { DB_FILE, SESSION_COOKIE, type Fixture } from './fixture.ts';
import type { Ledger } from './load.ts';
import { CHILD_ORIGIN, type ServerChild } from './server.ts';

/**
 * What must hold after a restart on a killed server's data directory. Each check returns problems
 * (empty: it held); `checked` counts the acknowledged writes looked up.
 */

export interface Verdict {
  problems: string[];
  /** Acknowledged writes looked up by id and content (all runs of the chain so far). */
  checked: number;
  /** Notifications the restarted server replayed for this run's acknowledged writes. */
  replayed: number;
  /** Files in the store's temp folder (in-flight uploads at the kill): allowed, counted. */
  tempFiles: number;
  /** Stored files no row names whose content is an upload never acknowledged (in flight at a kill): allowed, counted. */
  graceOrphans: number;
}

/** The folder of in-flight uploads (server/files): its files belong to no row by design. */
export const TEMP_FOLDER = 'tmp';

const ids = (list: { valueOf(): number }[]) => JSON.stringify(list.map(Number));
const IN = (column: string) => `${column} IN (SELECT value FROM json_each(?))`;
const MAX_PROBLEMS = 20;

function checkDatabase(db: Database.Database, fixture: Fixture, ledger: Ledger, problems: string[]): number {
  const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
  if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok') {
    problems.push(`integrity_check: ${integrity.map((r) => r.integrity_check).join('; ')}`);
  }
  const fk = db.pragma('foreign_key_check') as unknown[];
  if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 5))} (${fk.length} rows)`);

  let checked = 0;
  const threads = new Map(
    (
      db
        .prepare(
          `SELECT t.id, t.title, t.category_id AS categoryId, t.author_id AS authorId, p.id AS postId, p.body
           FROM threads t JOIN posts p ON p.id = t.first_post_id WHERE ${IN('t.id')}`
        )
        .all(ids(ledger.threads.map((t) => t.threadId))) as {
        id: number;
        title: string;
        categoryId: number;
        authorId: number;
        postId: number;
        body: string;
      }[]
    ).map((r) => [r.id, r])
  );
  for (const t of ledger.threads) {
    checked++;
    const row = threads.get(t.threadId);
    if (!row) problems.push(`acknowledged thread ${t.threadId} (run ${t.run}) is missing`);
    else if (row.title !== t.title || row.body !== t.body || row.postId !== t.postId || row.authorId !== t.authorId) {
      problems.push(`thread ${t.threadId} (run ${t.run}) differs: ${JSON.stringify(row)} vs ${JSON.stringify(t)}`);
    }
  }
  const posts = new Map(
    (
      db
        .prepare(`SELECT id, thread_id AS threadId, number, author_id AS authorId, body FROM posts WHERE ${IN('id')}`)
        .all(ids(ledger.replies.map((r) => r.postId))) as {
        id: number;
        threadId: number;
        number: number;
        authorId: number;
        body: string;
      }[]
    ).map((r) => [r.id, r])
  );
  for (const r of ledger.replies) {
    checked++;
    const row = posts.get(r.postId);
    if (!row) problems.push(`acknowledged reply ${r.postId} (run ${r.run}) is missing`);
    else if (row.threadId !== r.threadId || row.number !== r.number || row.authorId !== r.authorId || row.body !== r.body) {
      problems.push(`reply ${r.postId} (run ${r.run}) differs: ${JSON.stringify(row)} vs ${JSON.stringify(r)}`);
    }
  }
  const postIds = [...ledger.threads.map((t) => t.postId), ...ledger.replies.map((r) => r.postId)];
  const indexed = new Set(
    (db.prepare(`SELECT rowid AS id FROM post_search WHERE ${IN('rowid')}`).all(ids(postIds)) as { id: number }[]).map(
      (r) => r.id
    )
  );
  const unindexed = postIds.filter((id) => !indexed.has(id));
  if (unindexed.length) problems.push(`acknowledged posts missing from the search index: ${unindexed.slice(0, 10).join(', ')}`);

  const reactions = new Set(
    (
      db
        .prepare(`SELECT post_id AS postId, kind, member_id AS memberId FROM post_reactions WHERE ${IN('post_id')}`)
        .all(ids(ledger.reactions.map((r) => r.postId))) as { postId: number; kind: string; memberId: number }[]
    ).map((r) => `${r.postId}/${r.kind}/${r.memberId}`)
  );
  for (const r of ledger.reactions) {
    checked++;
    if (!reactions.has(`${r.postId}/${r.kind}/${r.memberId}`)) {
      problems.push(`acknowledged reaction ${r.kind} by ${r.memberId} on post ${r.postId} (run ${r.run}) is missing`);
    }
  }

  const decided = new Map(
    (
      db
        .prepare(
          `SELECT r.id, r.status, r.member_id AS memberId, r.email, m.email AS memberEmail, m.status AS memberStatus,
             (SELECT count(*) FROM tokens k WHERE k.member_id = r.member_id AND k.purpose = 'activation') AS activation,
             (SELECT count(*) FROM audit_log a WHERE a.target_type = 'membership_request' AND a.target_id = CAST(r.id AS TEXT)
                AND a.action = 'membership.' || r.status) AS audited
           FROM membership_requests r LEFT JOIN members m ON m.id = r.member_id WHERE ${IN('r.id')}`
        )
        .all(ids(ledger.decisions.map((d) => d.requestId))) as {
        id: number;
        status: string;
        memberId: number | null;
        email: string;
        memberEmail: string | null;
        memberStatus: string | null;
        activation: number;
        audited: number;
      }[]
    ).map((r) => [r.id, r])
  );
  for (const d of ledger.decisions) {
    checked++;
    const row = decided.get(d.requestId);
    const approvedOk =
      d.decision !== 'approved' ||
      (row?.memberId === d.memberId && row.memberEmail === row.email && row.memberStatus === 'pending' && row.activation === 1);
    if (!row || row.status !== d.decision || !approvedOk || row.audited !== 1) {
      problems.push(
        `acknowledged ${d.decision} of request ${d.requestId} (run ${d.run}) is not stored whole: ${JSON.stringify(row)}`
      );
    }
  }

  // Each write is one transaction: the counters it updates agree with the rows it inserted.
  const drift = db
    .prepare(
      `SELECT t.id, t.post_count AS postCount, t.last_post_number AS lastNumber,
         (SELECT count(*) FROM posts p WHERE p.thread_id = t.id) AS posts,
         (SELECT max(number) FROM posts p WHERE p.thread_id = t.id) AS maxNumber
       FROM threads t WHERE t.category_id = ?`
    )
    .all(fixture.categoryId) as { id: number; postCount: number; lastNumber: number; posts: number; maxNumber: number }[];
  for (const t of drift.filter((r) => r.postCount !== r.posts || r.lastNumber !== r.maxNumber)) {
    problems.push(`thread ${t.id} counters disagree with its posts: ${JSON.stringify(t)}`);
  }
  const category = db
    .prepare(
      `SELECT c.thread_count AS threadCount, c.post_count AS postCount,
         (SELECT count(*) FROM threads t WHERE t.category_id = c.id) AS threads,
         (SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id WHERE t.category_id = c.id) AS posts
       FROM categories c WHERE c.id = ?`
    )
    .get(fixture.categoryId) as { threadCount: number; postCount: number; threads: number; posts: number };
  if (category.threadCount !== category.threads || category.postCount !== category.posts) {
    problems.push(`category counters disagree with its rows: ${JSON.stringify(category)}`);
  }

  // The watcher's notifications for every acknowledged reply and thread (all runs): persisted, not only pushed.
  const notes = db
    .prepare(`SELECT kind, thread_id AS threadId, post_number AS number FROM notifications WHERE member_id = ?`)
    .all(fixture.watcher.id) as { kind: string; threadId: number; number: number }[];
  const noted = new Set(notes.map((n) => `${n.kind}/${n.threadId}/${n.number}`));
  for (const r of ledger.replies) {
    if (!noted.has(`reply/${r.threadId}/${r.number}`)) {
      problems.push(`no reply notification stored for acknowledged reply ${r.postId} (run ${r.run})`);
    }
  }
  for (const t of ledger.threads) {
    if (!noted.has(`new_thread/${t.threadId}/1`)) {
      problems.push(`no new-thread notification stored for acknowledged thread ${t.threadId} (run ${t.run})`);
    }
  }
  return checked;
}

/** FTS5's own check that the index matches its content (needs a write lock; the server is idle). */
function checkSearchIndex(file: string, problems: string[]): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare(`INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)`).run();
  } catch (err) {
    problems.push(`search index integrity-check: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    db.close();
  }
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

interface FileScan {
  /** Files in files/tmp/. */
  temp: string[];
  /** Stored files by name (their SHA-256). */
  stored: Map<string, string>;
  /** Every SHA-256 a row names (any `sha256` or `*_sha256` column). */
  named: Set<string>;
  columns: number;
}

function scanFiles(db: Database.Database, dataDir: string): FileScan {
  const store = path.join(dataDir, 'files');
  const all = walk(store);
  const tempPrefix = path.join(store, TEMP_FOLDER) + path.sep;
  const columns = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).flatMap((t) =>
    (db.pragma(`table_info(${JSON.stringify(t.name)})`) as { name: string }[])
      .filter((c) => c.name === 'sha256' || c.name.endsWith('_sha256'))
      .map((c) => ({ table: t.name, column: c.name }))
  );
  const named = new Set<string>();
  for (const { table, column } of columns) {
    const rows = db.prepare(`SELECT DISTINCT "${column}" AS h FROM "${table}" WHERE "${column}" IS NOT NULL`).all() as {
      h: string;
    }[];
    for (const row of rows) named.add(row.h);
  }
  return {
    temp: all.filter((f) => f.startsWith(tempPrefix)),
    stored: new Map(all.filter((f) => !f.startsWith(tempPrefix)).map((f) => [path.basename(f), f])),
    named,
    columns: columns.length
  };
}

/**
 * Rows and the files folder agree. Files are content-addressed (named by their SHA-256), so a row
 * names a file by a `sha256` column, wherever the file sits under files/. The grace rule: files in
 * files/tmp/ are in-flight uploads (counted, allowed); a stored file no row names is allowed only if
 * its content is an upload that was never acknowledged (renamed into place, then killed before its
 * row committed). Both kinds are allowed until the file sweep removes them (an hour old: see
 * leftoverFiles and the harness). Every other file needs a row, and every row its file, with matching content.
 */
function checkFiles(db: Database.Database, dataDir: string, ledger: Ledger, problems: string[], verdict: Verdict): number {
  const { temp, stored, named, columns } = scanFiles(db, dataDir);
  verdict.tempFiles = temp.length;
  for (const hash of named) {
    const file = stored.get(hash);
    if (!file) problems.push(`a row names file ${hash}, which is not in the files folder`);
    else if (createHash('sha256').update(readFileSync(file)).digest('hex') !== hash) {
      problems.push(`file ${path.relative(dataDir, file)} does not hold the content its name promises`);
    }
  }
  for (const [name, file] of stored) {
    if (named.has(name)) continue;
    if (ledger.unackedUploads.has(name)) verdict.graceOrphans++;
    else problems.push(`file ${path.relative(dataDir, file)} is named by no row`);
  }
  let checked = 0;
  for (const u of ledger.uploads) {
    checked++;
    if (!named.has(u.sha256) || !stored.has(u.sha256)) {
      problems.push(`acknowledged upload ${u.resourceId} (run ${u.run}, ${u.sha256}) has no row or no file`);
    }
  }
  if (ledger.uploads.length && columns === 0) problems.push('uploads were acknowledged but no table has a sha256 column');
  return checked;
}

/** What the grace rule allows now: temp files and stored files no row names (paths). */
export function leftoverFiles(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, DB_FILE), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const { temp, stored, named } = scanFiles(db, dataDir);
    return [...temp, ...[...stored].filter(([name]) => !named.has(name)).map(([, file]) => file)];
  } finally {
    db.close();
  }
}

interface ServerMessage {
  type: string;
  replaying?: number;
  notification?: { kind: string; url: string | null; thread: { id: number } | null };
}

/** What the socket replays after `after` (hello + notifications), or null when it answers reset. */
function replayOverSocket(server: ServerChild, token: string, after: number): Promise<ServerMessage[] | null> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/ws?after=${after}`, {
      headers: { cookie: `${SESSION_COOKIE}=${token}`, origin: CHILD_ORIGIN },
      perMessageDeflate: false
    });
    const got: ServerMessage[] = [];
    let expected = -1;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`replay: ${got.length} messages of ${expected} within 15 s`));
    }, 15_000);
    const done = (value: ServerMessage[] | null) => {
      clearTimeout(timer);
      ws.close();
      resolve(value);
    };
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      if (msg.type === 'reset') return done(null);
      if (msg.type === 'hello') expected = msg.replaying ?? 0;
      else if (msg.type === 'notification') got.push(msg);
      if (expected >= 0 && got.length >= expected) done(got);
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`replay: the handshake answered ${res.statusCode}`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The same, through the list API, for a gap the socket will not replay (over 1,000 notifications). */
async function replayOverApi(server: ServerChild, token: string, after: number): Promise<ServerMessage[]> {
  const out: ServerMessage[] = [];
  let before: number | null = null;
  for (;;) {
    const res = await fetch(`${server.url}/api/notifications?limit=50${before ? `&before=${before}` : ''}`, {
      headers: { cookie: `${SESSION_COOKIE}=${token}` }
    });
    const page = (await res.json()) as { notifications: (ServerMessage['notification'] & { id: number })[]; next: number | null };
    const fresh = page.notifications.filter((n) => n.id > after);
    out.push(...fresh.map((n) => ({ type: 'notification', notification: n })));
    if (page.next === null || fresh.length < page.notifications.length) return out;
    before = page.next;
  }
}

/** Runs every check against the restarted server and its data directory. */
export async function verify(
  server: ServerChild,
  dataDir: string,
  fixture: Fixture,
  ledger: Ledger,
  run: { number: number; cursor: number }
): Promise<Verdict> {
  const verdict: Verdict = { problems: [], checked: 0, replayed: 0, tempFiles: 0, graceOrphans: 0 };
  const file = path.join(dataDir, DB_FILE);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    verdict.checked += checkDatabase(db, fixture, ledger, verdict.problems);
    verdict.checked += checkFiles(db, dataDir, ledger, verdict.problems, verdict);
  } finally {
    db.close();
  }
  checkSearchIndex(file, verdict.problems);

  const messages =
    (await replayOverSocket(server, fixture.watcher.token, run.cursor)) ??
    (await replayOverApi(server, fixture.watcher.token, run.cursor));
  const seen = new Set(
    messages.map((m) =>
      m.notification?.kind === 'new_thread'
        ? `thread/${m.notification.thread?.id}`
        : `${m.notification?.kind}/${m.notification?.url}`
    )
  );
  for (const r of ledger.replies.filter((x) => x.run === run.number)) {
    verdict.replayed++;
    if (!seen.has(`reply//discussions/p/${r.postId}`)) {
      verdict.problems.push(`the restarted server did not replay the notification of acknowledged reply ${r.postId}`);
    }
  }
  for (const t of ledger.threads.filter((x) => x.run === run.number)) {
    verdict.replayed++;
    if (!seen.has(`thread/${t.threadId}`)) {
      verdict.problems.push(`the restarted server did not replay the notification of acknowledged thread ${t.threadId}`);
    }
  }
  if (verdict.problems.length > MAX_PROBLEMS) {
    const more = verdict.problems.length - MAX_PROBLEMS;
    verdict.problems.splice(MAX_PROBLEMS, more, `… and ${more} more`);
  }
  return verdict;
}
