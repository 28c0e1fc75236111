// The discussions benchmark's database: 10,000 members, 200 categories, 100,000 threads and
// 1,000,000 posts, written with raw prepared statements in large transactions. Runnable alone:
//   node --import tsx tests/bench/seed-discussions.ts <dbfile> [--scale 0.1]
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { createDb, MIGRATIONS_FOLDER, runMigrations } from '../../db/client.ts';
import { loadConfig } from '../../server/config.ts';
import { renderMarkdown } from '../../server/shared/markdown.ts';
import { hashPassword } from '../../server/shared/passwords.ts';
import { SecretBox } from '../../server/shared/secretBox.ts';

/** The server the benchmark starts uses this key, so the staff's sealed TOTP keys open. Bench data only. */
export const BENCH_SECRET_KEY = 'b3'.repeat(32);
/** Every seeded member's password (bench data only; staff also need a code from BENCH_TOTP_KEY). */
export const BENCH_PASSWORD = 'bench lantern orchard velvet compass';
export const BENCH_TOTP_KEY = new Uint8Array(20).fill(7);

export const FULL = { members: 10_000, categories: 200, taskForces: 20, threads: 100_000, posts: 1_000_000 };
export const CACHE_DIR = fileURLToPath(new URL('../../bench/.cache/', import.meta.url));

const DAY = 86_400_000;
const DISCIPLINES = ['law_enforcement', 'prosecution', 'victim_services', 'task_force_coordination', 'other'] as const;
const REACTIONS = ['thumbs_up', 'thanks', 'helpful', 'insightful', 'support'] as const;

// ——— Text: practitioner sentences from fragments. No digits, quotes, apostrophes or Markdown
// syntax, so `<p>text</p>` is exactly what markdown-it + sanitize-html make of it (checked below).

const OPENERS = [
  'In our task force,',
  'On a recent ECM case,',
  'From the victim services side,',
  'For the prosecution team,',
  'After the joint operation,',
  'During the multidisciplinary case review,',
  'At the last quarterly meeting,',
  'In a rural county like ours,',
  'Since the new protocol took effect,',
  'When the tip came in through the hotline,',
  'Before the forensic interview,',
  'Looking back at the last operation,'
];
const SUBJECTS = [
  'the case agent',
  'our victim advocate',
  'the assistant prosecutor',
  'the task force coordinator',
  'the survivor',
  'the HSI special agent',
  'the local detective',
  'the shelter director',
  'the interpreter',
  'the forensic interviewer',
  'the labor inspector',
  'our community partner',
  'the legal services attorney',
  'the CAC team',
  'the school resource officer',
  'the case manager',
  'the FBI victim specialist',
  'the probation officer',
  'the youth outreach worker',
  'the patrol sergeant',
  'we',
  'our team',
  'the crime analyst',
  'the program manager'
];
const VERBS = [
  'coordinated with',
  'referred the client to',
  'documented',
  'requested',
  'reviewed',
  'followed up on',
  'explained',
  'asked about',
  'supported',
  'prepared',
  'flagged',
  'tracked',
  'escalated',
  'worked through',
  'drafted',
  'shared',
  'discussed',
  'relied on',
  'struggled with',
  'secured'
];
const OBJECTS = [
  'the T-visa certification',
  'continued presence',
  'the OVC grant report',
  'a trauma-informed interview',
  'the CSE screening tool',
  'emergency housing',
  'the labor trafficking referral',
  'the restitution request',
  'the NCMEC report',
  'the victim witness coordinator',
  'a safety plan',
  'the immigration attorney',
  'the U-visa supplement',
  'the ECM quarterly report',
  'the Bureau of Justice Assistance guidance',
  'the hotline tip',
  'the financial investigation',
  'the language access plan',
  'the multidisciplinary protocol',
  'the online advertisement analysis',
  'the motel outreach',
  'the debt bondage evidence',
  'the forced labor indicators',
  'the minor victim interview',
  'the human trafficking screening',
  'the TVPA elements',
  'the OVC TTAC training',
  'the case management notes',
  'the transitional housing voucher',
  'the mental health referral',
  'the HSI lead',
  'the wage and hour complaint',
  'the CSEC response',
  'the survivor leadership panel',
  'the data sharing agreement',
  'the victim compensation claim',
  'the court accompaniment',
  'the DMST screening',
  'the coerced debt issue',
  'the benefits application'
];
const MODIFIERS = [
  'within the first week',
  'with the help of an interpreter',
  'before the grand jury',
  'under the ECM grant',
  'in a rural county',
  'across state lines',
  'after the hotline tip',
  'for a labor trafficking case',
  'for a minor victim',
  'during the sentencing phase',
  'while the survivor was in shelter',
  'without a formal MOU',
  'with our local service providers',
  'as part of the victim-centered approach',
  'after the operation',
  'at the intake stage',
  'over several months',
  'in coordination with the AUSA',
  'through the victim witness unit',
  'before the trial date'
];
const CLOSERS = [
  'This worked well for us.',
  'Has anyone else run into this?',
  'Happy to share our template.',
  'Curious how other task forces handle it.',
  'We are still refining the process.',
  'Any lessons learned would help.',
  'It took longer than expected.',
  'The survivor felt heard throughout.',
  'Thanks to everyone who weighed in.',
  'I can send the checklist we use.',
  'Training on this would help our partners.',
  'We will revisit it at the next meeting.'
];
const TITLE_STARTS = [
  'Question about',
  'Tips for',
  'How do you handle',
  'Lessons learned from',
  'Best practices for',
  'Looking for guidance on',
  'Template request for',
  'Experience with',
  'Delays with',
  'Training resources for'
];
/**
 * Words outside the fragments, each tier at a known frequency, so search queries range from a
 * handful of hits to tens of thousands: about 30,000 / 3,000 / 300 / 30 / 3 posts per word at full size.
 */
export const RARE_TIERS: { hitsPerWord: number; words: string[] }[] = [
  { hitsPerWord: 30_000, words: ['polygraph', 'subpoena', 'dormitory', 'cryptocurrency', 'geofence'] },
  { hitsPerWord: 3_000, words: ['pawnshop', 'stevedore', 'greenhouse', 'laundromat', 'boardinghouse'] },
  { hitsPerWord: 300, words: ['sawmill', 'cannery', 'tannery', 'orchard', 'vineyard'] },
  { hitsPerWord: 30, words: ['apiary', 'marina', 'foundry', 'quarry', 'hatchery'] },
  { hitsPerWord: 3, words: ['lighthouse', 'gondola', 'observatory', 'planetarium', 'aquarium'] }
];
const RARE_SENTENCES = [
  (w: string) => `One lead pointed to a ${w} near the highway.`,
  (w: string) => `We also found a link to a ${w} in the records.`,
  (w: string) => `The workers had been housed at a ${w} for months.`
];
/** Also exported for the search query list: the phrases the fragments contain. */
export const FRAGMENTS = { OPENERS, SUBJECTS, VERBS, OBJECTS, MODIFIERS, CLOSERS };

export type Rand = () => number;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function sentence(r: Rand): string {
  const x = r();
  if (x < 0.12) return pick(r, CLOSERS);
  const subject = pick(r, SUBJECTS);
  const core = `${subject} ${pick(r, VERBS)} ${pick(r, OBJECTS)}`;
  const tail = r() < 0.6 ? ` ${pick(r, MODIFIERS)}` : '';
  if (x < 0.4) return `${pick(r, OPENERS)} ${core}${tail}.`;
  return `${capital(core)}${tail}.`;
}

/** Cumulative per-post probability of each rare word (tiers scaled to the number of posts). */
function rareTable(): { p: number; word: string }[] {
  const table: { p: number; word: string }[] = [];
  let acc = 0;
  for (const tier of RARE_TIERS) {
    for (const word of tier.words) {
      acc += Math.min(1, tier.hitsPerWord / FULL.posts);
      table.push({ p: acc, word });
    }
  }
  return table;
}

export interface GeneratedPost {
  body: string;
  html: string;
  text: string;
}

/** 200–1,500 characters in one to four paragraphs; lengths skewed short, like real replies. */
export function makePost(r: Rand, rare: { p: number; word: string }[] = rareTable()): GeneratedPost {
  const target = 200 + Math.floor(1300 * r() ** 1.6);
  const paragraphs: string[] = [];
  let para: string[] = [];
  let length = 0;
  const per = 2 + Math.floor(r() * 4);
  while (length < target) {
    const s = sentence(r);
    if (length + s.length > 1500 && length >= 200) break;
    para.push(s);
    length += s.length + 1;
    if (para.length >= per) {
      paragraphs.push(para.join(' '));
      para = [];
    }
  }
  if (para.length) paragraphs.push(para.join(' '));
  // Independent draws per tier position, so a post can carry a rare word of any tier.
  const x = r();
  for (const entry of rare) {
    if (x < entry.p) {
      paragraphs.push(pick(r, RARE_SENTENCES)(entry.word));
      break;
    }
  }
  return {
    body: paragraphs.join('\n\n'),
    html: paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
    text: paragraphs.join('\n')
  };
}

export function makeTitle(r: Rand): string {
  const title = `${pick(r, TITLE_STARTS)} ${pick(r, OBJECTS)}${r() < 0.5 ? ` ${pick(r, MODIFIERS)}` : ''}`;
  return r() < 0.3 ? `${title}?` : title;
}

// ——— The people and places: fictional through and through.

const PLACES = [
  'Cedar Valley',
  'Harbor Point',
  'Red Mesa',
  'Pine Hollow',
  'Silver Lake',
  'Granite Ridge',
  'Willow Creek',
  'Copper Basin',
  'North Plains',
  'Bay Crossing',
  'Stone River',
  'High Desert',
  'Lakeshore',
  'Twin Forks',
  'Prairie Gate',
  'Ironwood',
  'Sandy Flats',
  'Maple Grove',
  'Eagle Bluff',
  'Coral Coast'
];
const AREAS = [
  'Labor trafficking',
  'Sex trafficking',
  'Victim services',
  'Prosecution',
  'Investigations',
  'Housing',
  'Immigration relief',
  'Youth and minors',
  'Training',
  'Data and analysis',
  'Grants and reporting',
  'Outreach',
  'Interviewing',
  'Financial crimes',
  'Online exploitation',
  'Courts',
  'Health care',
  'Language access',
  'Survivor leadership',
  'Partnerships'
];
const ASPECTS = ['questions', 'practice', 'resources', 'cases', 'policy', 'tools', 'news', 'lessons', 'templates', 'help desk'];
const COLOURS = ['#1f5f8b', '#7a3e9d', '#2e7d32', '#b3541e', '#00695c', '#6d4c41', '#ad1457', '#37474f', '#4527a0', '#827717'];
const ROLE_COUNTS = { admin: 5, moderator: 40, editor: 20, coordinator: 60 };

interface Plan {
  members: number;
  categories: number;
  taskForces: number;
  threads: number;
  posts: number;
}

export function planFor(scale: number): Plan {
  const s = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return {
    members: s(FULL.members, 2_000),
    categories: s(FULL.categories, 40),
    taskForces: FULL.taskForces,
    threads: s(FULL.threads, 200),
    posts: s(FULL.posts, 2_000)
  };
}

export interface SeedStats {
  file: string;
  seconds: number;
  bytes: number;
  plan: Plan;
  counts: Record<string, number>;
  phases: Record<string, number>;
}

const log = (line: string) => process.stdout.write(`  [seed] ${line}\n`);

/** Markdown-it + sanitize-html must give exactly the HTML and plain text the seed writes. */
function checkRendering(r: Rand): void {
  for (let i = 0; i < 500; i++) {
    const post = makePost(r);
    const real = renderMarkdown(post.body);
    if (real.html !== post.html || real.text !== post.text) {
      throw new Error(
        `Seed rendering differs from the app's:\n  body: ${post.body}\n  app html: ${real.html}\n  seed html: ${post.html}\n  app text: ${real.text}\n  seed text: ${post.text}`
      );
    }
  }
}

/** Build the database at `file` (overwritten). */
export async function seedDiscussions(file: string, scale = 1): Promise<SeedStats> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark) / 1000;
    mark = now;
    log(`${name}: ${phases[name]} s`);
  };
  const plan = planFor(scale);
  const r = prng(20_261_129);
  checkRendering(prng(1));

  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  // The schema exactly as the app makes it, then bulk-load pragmas on that same file.
  const migrated = createDb(file);
  migrate(migrated, { migrationsFolder: seedMigrations() });
  migrated.$client.close();
  const db = new Database(file);
  // Out of WAL (every page would be written twice), into a journal kept in memory: a failed seed is
  // thrown away, never repaired. (better-sqlite3's defensive mode refuses journal_mode = OFF.)
  db.pragma('journal_mode = DELETE');
  if (db.pragma('journal_mode = MEMORY', { simple: true }) !== 'memory') throw new Error('Could not set journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');

  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const start = now - 3 * 365 * DAY;
  const config = loadConfig({});
  const passwordHash = await hashPassword(BENCH_PASSWORD, config.argon2);
  const sealedTotp = new SecretBox(BENCH_SECRET_KEY).seal(BENCH_TOTP_KEY);
  phase('schema and password hash');

  // Task forces, members.
  const insertTaskForce = db.prepare(
    'INSERT INTO task_forces (id, name, states, lead_agency, grant_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?)'
  );
  const memberRole = new Array<string>(plan.members + 1);
  const memberStatus = new Array<string>(plan.members + 1);
  const insertMember = db.prepare(
    `INSERT INTO members (id, email, name, agency, job_title, discipline, task_force_id, role, status, password_hash, totp_key,
       mfa_enabled_at, notice_accepted_at, last_active_at, status_reason, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const JOBS: Record<(typeof DISCIPLINES)[number], string> = {
    law_enforcement: 'Detective',
    prosecution: 'Assistant District Attorney',
    victim_services: 'Victim Advocate',
    task_force_coordination: 'Task Force Coordinator',
    other: 'Program Analyst'
  };
  db.transaction(() => {
    for (let t = 1; t <= plan.taskForces; t++) {
      insertTaskForce.run(
        t,
        `${PLACES[t - 1]} Regional Task Force`,
        '["ZZ"]',
        `${PLACES[t - 1]} Police Department`,
        start,
        start
      );
    }
    let id = 0;
    const roles: string[] = [];
    for (const [role, n] of Object.entries(ROLE_COUNTS)) for (let i = 0; i < n; i++) roles.push(role);
    while (roles.length < plan.members) roles.push('member');
    for (const role of roles) {
      id++;
      const x = r();
      const status =
        role !== 'member'
          ? 'active'
          : x < 0.01
            ? 'pending'
            : x < 0.02
              ? 'suspended'
              : x < 0.025
                ? 'expired'
                : x < 0.03
                  ? 'disabled'
                  : 'active';
      const discipline = role === 'coordinator' ? 'task_force_coordination' : pick(r, DISCIPLINES);
      const taskForceId =
        role === 'coordinator' ? ((id - 1) % plan.taskForces) + 1 : r() < 0.85 ? 1 + Math.floor(r() * plan.taskForces) : null;
      const mfa = role !== 'member' || r() < 0.3;
      const created = start + Math.floor(r() * 30 * DAY);
      memberRole[id] = role;
      memberStatus[id] = status;
      insertMember.run(
        id,
        `bench.member.${String(id).padStart(5, '0')}@agency${(id % 97) + 1}.example.org`,
        `Bench Member ${String(id).padStart(5, '0')}`,
        `${PLACES[id % PLACES.length]} ${pick(r, ['Police Department', 'Sheriff Office', 'Legal Aid', 'Advocacy Center', 'County Attorney'])}`,
        JOBS[discipline],
        discipline,
        taskForceId,
        role,
        status,
        passwordHash,
        mfa ? sealedTotp : null,
        mfa ? created : null,
        status === 'pending' ? null : created,
        status === 'pending' ? null : now,
        status === 'suspended' ? 'Bench: suspended for the benchmark' : null,
        created,
        created
      );
    }
  })();
  const authors: number[] = [];
  const moderators: number[] = [];
  for (let id = 1; id <= plan.members; id++) {
    if (memberStatus[id] !== 'pending') authors.push(id);
    if (memberRole[id] === 'moderator' || memberRole[id] === 'admin') moderators.push(id);
  }
  phase(`members: ${plan.members}`);

  // Categories: 15% private, to task forces, disciplines or both.
  const insertCategory = db.prepare(
    `INSERT INTO categories (id, name, description, position, colour, is_private, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const insertCatTf = db.prepare('INSERT INTO category_task_forces (category_id, task_force_id) VALUES (?, ?)');
  const insertCatDisc = db.prepare('INSERT INTO category_disciplines (category_id, discipline) VALUES (?, ?)');
  const privateCount = Math.round(plan.categories * 0.15);
  db.transaction(() => {
    for (let c = 1; c <= plan.categories; c++) {
      const isPrivate = c > plan.categories - privateCount;
      const k = plan.categories - c; // 0.. for private ones
      let name = `${AREAS[(c - 1) % AREAS.length]} ${ASPECTS[Math.floor((c - 1) / AREAS.length) % ASPECTS.length]}`;
      if (isPrivate) {
        name =
          k < plan.taskForces
            ? `${PLACES[k]} task force room`
            : `${capital(DISCIPLINES[k % DISCIPLINES.length]!.replace(/_/g, ' '))} only ${Math.floor(k / DISCIPLINES.length)}`;
      }
      insertCategory.run(
        c,
        name,
        `Practitioner discussion: ${name.toLowerCase()}.`,
        c,
        COLOURS[c % COLOURS.length],
        isPrivate ? 1 : 0,
        start,
        start
      );
      if (!isPrivate) continue;
      if (k < plan.taskForces) insertCatTf.run(c, k + 1);
      else {
        insertCatDisc.run(c, DISCIPLINES[k % DISCIPLINES.length]);
        if (k % 3 === 0) insertCatTf.run(c, 1 + (k % plan.taskForces));
      }
    }
  })();
  phase(`categories: ${plan.categories} (${privateCount} private)`);

  // Threads: creation times spread over three years (ids in time order, as the app allocates them),
  // category sizes skewed (a few busy categories), post counts skewed (mostly short threads, some long).
  const T = plan.threads;
  const threadCategory = new Uint16Array(T + 1);
  const threadAuthor = new Uint32Array(T + 1);
  const threadCreated = new Float64Array(T + 1);
  const threadPosts = new Uint32Array(T + 1);
  let total = 0;
  for (let t = 1; t <= T; t++) {
    threadCategory[t] = 1 + Math.floor(plan.categories * r() ** 2);
    threadAuthor[t] = pick(r, authors);
    threadCreated[t] = Math.floor(start + ((t - 1 + r()) / T) * (now - start - DAY));
    const n = 1 + Math.floor(-Math.log(1 - r()) * ((plan.posts / T) * 0.9));
    threadPosts[t] = n;
    total += n;
  }
  // Adjust to exactly plan.posts.
  while (total !== plan.posts) {
    const t = 1 + Math.floor(r() * T);
    if (total < plan.posts) {
      threadPosts[t]!++;
      total++;
    } else if (threadPosts[t]! > 1) {
      threadPosts[t]!--;
      total--;
    }
  }
  // Posts, in (thread, number) order; then ids by time, the way the app numbers them.
  const N = plan.posts;
  const postThread = new Uint32Array(N);
  const postNumber = new Uint32Array(N);
  const postTime = new Float64Array(N);
  const postAuthor = new Uint32Array(N);
  const firstIndex = new Uint32Array(T + 2);
  let i = 0;
  for (let t = 1; t <= T; t++) {
    firstIndex[t] = i;
    const n = threadPosts[t]!;
    const room = now - threadCreated[t]!;
    const gap = Math.min(12 * 3_600_000, room / (n + 1));
    let time = threadCreated[t]!;
    for (let k = 1; k <= n; k++) {
      if (k > 1) time = Math.min(now - 1, time + Math.floor(-Math.log(1 - r()) * gap));
      postThread[i] = t;
      postNumber[i] = k;
      postTime[i] = time;
      postAuthor[i] = k === 1 ? threadAuthor[t]! : r() < 0.3 ? threadAuthor[t]! : pick(r, authors);
      i++;
    }
  }
  firstIndex[T + 1] = N;
  const order = new Uint32Array(N);
  for (let k = 0; k < N; k++) order[k] = k;
  order.sort((a, b) => postTime[a]! - postTime[b]! || a - b);
  const postId = new Uint32Array(N);
  for (let k = 0; k < N; k++) postId[order[k]!] = k + 1;

  // Thread states: a few deleted, locked, closed, pinned. Post states: some deleted, hidden, edited.
  const threadDeleted = new Uint8Array(T + 1);
  const threadLocked = new Uint8Array(T + 1);
  const threadClosed = new Uint8Array(T + 1);
  const threadPin = new Array<string | null>(T + 1).fill(null);
  for (let t = 1; t <= T; t++) {
    const x = r();
    if (x < 0.002) threadDeleted[t] = 1;
    else if (x < 0.007) threadLocked[t] = 1;
    else if (x < 0.017) threadClosed[t] = 1;
  }
  for (let c = 1, pinned = 0; c <= plan.categories && pinned < 40; c += 5, pinned++) {
    // The newest live thread of every fifth category is pinned there; three are pinned site-wide.
    for (let t = T; t >= 1; t--) {
      if (threadCategory[t] === c && !threadDeleted[t]) {
        threadPin[t] = pinned < 3 ? 'global' : 'category';
        break;
      }
    }
  }
  const postState = new Uint8Array(N); // 0 visible, 1 deleted, 2 hidden (PII flag), 3 edited
  for (let t = 1; t <= T; t++) {
    const n = threadPosts[t]!;
    for (let k = 2; k < n; k++) {
      const x = r();
      const idx = firstIndex[t]! + k - 1;
      postState[idx] = x < 0.005 ? 1 : x < 0.0055 ? 2 : x < 0.0155 ? 3 : 0;
    }
  }
  phase(`plan: ${T} threads, ${N} posts`);

  const insertThread = db.prepare(
    `INSERT INTO threads (id, category_id, author_id, title, first_post_id, last_post_number, post_count, last_post_at,
       last_post_author_id, pin_scope, pinned_until, locked_at, closed_at, deleted_at, deleted_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`
  );
  const titles = new Array<string>(T + 1);
  db.transaction(() => {
    for (let t = 1; t <= T; t++) {
      const n = threadPosts[t]!;
      const first = firstIndex[t]!;
      const last = first + n - 1;
      let deleted = 0;
      for (let k = first; k <= last; k++) if (postState[k] === 1) deleted++;
      const lastAt = postTime[last]!;
      const deletedAt = threadDeleted[t] ? Math.min(now, lastAt + DAY) : null;
      titles[t] = makeTitle(r);
      insertThread.run(
        t,
        threadCategory[t],
        threadAuthor[t],
        titles[t],
        postId[first],
        n,
        n - deleted,
        lastAt,
        postAuthor[last],
        threadPin[t],
        threadLocked[t] ? lastAt : null,
        threadClosed[t] ? lastAt : null,
        deletedAt,
        deletedAt === null ? null : pick(r, moderators),
        threadCreated[t],
        lastAt
      );
    }
  })();
  phase(`threads: ${T}`);

  // Posts and the search index, in id (time) order, 10,000 rows per transaction — the order the
  // app writes them in, so the clustered posts table and the FTS segments look like the app's.
  const insertPost = db.prepare(
    `INSERT INTO posts (thread_id, number, id, author_id, body, body_html, quote_post_id, privacy_confirmed, created_at,
       edited_at, edit_count, deleted_at, deleted_by, hidden_at, hidden_reason, purged_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, NULL)`
  );
  const insertSearch = db.prepare('INSERT INTO post_search (rowid, title, body) VALUES (?, ?, ?)');
  const insertRevision = db.prepare(
    'INSERT INTO post_revisions (post_id, title, body, edited_by, replaced_at) VALUES (?, NULL, ?, ?, ?)'
  );
  const insertFlag = db.prepare(
    `INSERT INTO post_flags (post_id, flagger_id, reason, note, created_at) VALUES (?, ?, 'pii', NULL, ?)`
  );
  const rare = rareTable();
  const BATCH = 10_000;
  let bodyChars = 0;
  let indexed = 0;
  for (let from = 0; from < N; from += BATCH) {
    db.transaction(() => {
      for (let k = from; k < Math.min(N, from + BATCH); k++) {
        const idx = order[k]!;
        const t = postThread[idx]!;
        const id = k + 1;
        const post = makePost(r, rare);
        bodyChars += post.body.length;
        const at = postTime[idx]!;
        const state = postState[idx]!;
        const later = Math.min(now, at + 3_600_000);
        const author = postAuthor[idx]!;
        if (state === 3) insertRevision.run(id, makePost(r, rare).body, author, later);
        insertPost.run(
          t,
          postNumber[idx],
          id,
          author,
          post.body,
          post.html,
          at,
          state === 3 ? later : null,
          state === 3 ? 1 : 0,
          state === 1 ? later : null,
          state === 1 ? author : null,
          state === 2 ? later : null,
          state === 2 ? 'pii_flag' : null
        );
        if (state === 2) insertFlag.run(id, pick(r, authors), later);
        if (state !== 1 && state !== 2 && !threadDeleted[t]) {
          insertSearch.run(id, postNumber[idx] === 1 ? titles[t] : '', post.text);
          indexed++;
        }
      }
    })();
    if ((from / BATCH) % 20 === 19) log(`  posts: ${from + BATCH} (${Math.round(performance.now() - started) / 1000} s)`);
  }
  phase(`posts and search index: ${N} posts, ${indexed} indexed, average ${Math.round(bodyChars / N)} chars`);

  // What posting leaves behind: each author has read up to their latest post and watches the thread.
  db.exec(`INSERT INTO thread_reads (member_id, thread_id, last_read_number, updated_at)
    SELECT author_id, thread_id, max(number), max(created_at) FROM posts GROUP BY author_id, thread_id`);
  db.exec(`INSERT INTO thread_subscriptions (member_id, thread_id, level, updated_at)
    SELECT author_id, thread_id, 'watching', min(created_at) FROM posts GROUP BY author_id, thread_id`);
  // Readers who did not post: a fifth of the members have read some of 50 threads each.
  const markRead = db.prepare(
    `INSERT INTO thread_reads (member_id, thread_id, last_read_number, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (member_id, thread_id) DO UPDATE SET last_read_number = max(last_read_number, excluded.last_read_number),
       updated_at = excluded.updated_at`
  );
  const react = db.prepare('INSERT OR IGNORE INTO post_reactions (post_id, kind, member_id, created_at) VALUES (?, ?, ?, ?)');
  const bookmark = db.prepare('INSERT OR IGNORE INTO bookmarks (member_id, post_id, created_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const member of authors) {
      if (r() >= 0.2) continue;
      for (let k = 0; k < 50; k++) {
        const t = Math.min(T, 1 + Math.floor(T * (1 - r() ** 3)));
        markRead.run(member, t, 1 + Math.floor(r() * threadPosts[t]!), now - Math.floor(r() * 30 * DAY));
      }
    }
    for (let k = 0; k < N; k++) {
      if (r() >= 0.15 || postState[k] === 1) continue;
      const reactions = 1 + Math.floor(r() * 3);
      for (let j = 0; j < reactions; j++) {
        const member = pick(r, authors);
        if (member !== postAuthor[k]) react.run(postId[k], pick(r, REACTIONS), member, Math.min(now, postTime[k]! + DAY));
      }
    }
    for (let k = 0; k < Math.round(N * 0.03); k++) {
      const idx = Math.floor(r() * N);
      bookmark.run(pick(r, authors), postId[idx], Math.min(now, postTime[idx]! + DAY));
    }
  })();
  // Counters as refreshCategoryCounts keeps them.
  db.exec(`UPDATE categories SET
    thread_count = (SELECT count(*) FROM threads WHERE category_id = categories.id AND deleted_at IS NULL),
    post_count = coalesce((SELECT sum(post_count) FROM threads WHERE category_id = categories.id AND deleted_at IS NULL), 0),
    last_post_at = (SELECT max(last_post_at) FROM threads WHERE category_id = categories.id AND deleted_at IS NULL)`);
  phase('reading state, subscriptions, reactions, bookmarks, counters');

  const counts: Record<string, number> = {};
  for (const table of [
    'members',
    'categories',
    'threads',
    'posts',
    'post_search',
    'thread_reads',
    'thread_subscriptions',
    'post_reactions',
    'bookmarks',
    'post_revisions',
    'post_flags'
  ]) {
    counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  verify(db, counts);
  phase('verification');

  db.pragma('locking_mode = NORMAL');
  db.pragma('journal_mode = WAL');
  db.close();
  // Reopen as the app does: this proves the file takes the app's pragmas (WAL, FULL).
  createDb(file).$client.close();
  const seconds = Math.round(performance.now() - started) / 1000;
  return { file, seconds, bytes: statSync(file).size, plan, counts, phases };
}

/** The index holds exactly the visible posts, with the app's own plain text and titles. */
function verify(db: Database.Database, counts: Record<string, number>): void {
  const visible = (
    db
      .prepare(
        `SELECT count(*) AS n FROM posts p JOIN threads t ON t.id = p.thread_id
         WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL`
      )
      .get() as { n: number }
  ).n;
  if (visible !== counts.post_search) throw new Error(`post_search has ${counts.post_search} rows, expected ${visible}`);
  const sample = db
    .prepare(
      `SELECT p.id, p.number, p.body, t.title, s.title AS sTitle, s.body AS sBody FROM post_search s
       JOIN posts p ON p.id = s.rowid JOIN threads t ON t.id = p.thread_id
       WHERE s.rowid IN (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 300)
         SELECT abs(random()) % ? + 1 FROM k)`
    )
    .all(counts.posts) as { id: number; number: number; body: string; title: string; sTitle: string; sBody: string }[];
  for (const row of sample) {
    const expected = renderMarkdown(row.body).text;
    if (row.sBody !== expected || row.sTitle !== (row.number === 1 ? row.title : '')) {
      throw new Error(`post_search row ${row.id} differs from what the app would index`);
    }
  }
  const hits = db.prepare(`SELECT count(*) AS n FROM post_search WHERE post_search MATCH ?`);
  for (const q of ['"t visa"', 'ecm', 'polygraph']) {
    if ((hits.get(q) as { n: number }).n === 0) throw new Error(`Search for ${q} finds nothing in the seeded index`);
  }
  const fk = db.pragma('foreign_key_check') as unknown[];
  if (fk.length > 0) throw new Error(`foreign_key_check: ${fk.length} problems`);
}

/**
 * Which seed a cached file holds: this generator, at this scale. Not the migrations: they are
 * append-only (an applied one is never edited), so a cached seed is brought up to date by running
 * the newer ones on the copy (migrateCopy) instead of reseeding 1M posts for every new table.
 */
export function seedKey(scale: number): string {
  const h = createHash('sha256');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(String(scale));
  return h.digest('hex').slice(0, 16);
}

/**
 * The schema this generator writes for: migrations up to SEED_SCHEMA only, so the seed does not
 * depend on later (or uncommitted) migrations; migrateCopy brings each copy up to date.
 */
const SEED_SCHEMA = '0005_search_prefix_indexes';

function seedMigrations(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tfc-seed-migrations-'));
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  const last = journal.entries.findIndex((e) => e.tag === SEED_SCHEMA);
  if (last < 0) throw new Error(`Migration ${SEED_SCHEMA} not found`);
  journal.entries = journal.entries.slice(0, last + 1);
  mkdirSync(path.join(folder, 'meta'));
  writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) copyFileSync(path.join(MIGRATIONS_FOLDER, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
  return folder;
}

/** Applies the migrations newer than the cached seed to a copy of it (before the server opens it). */
export function migrateCopy(file: string): void {
  const db = createDb(file);
  try {
    runMigrations(db);
  } finally {
    db.$client.close();
  }
}

/** The seeded database for this schema, from bench/.cache/ or built now (then cached). */
export async function cachedSeed(scale = 1): Promise<{ file: string; stats: SeedStats | null }> {
  const file = path.join(CACHE_DIR, `discussions-${scale === 1 ? 'full' : `x${scale}`}-${seedKey(scale)}.sqlite`);
  if (existsSync(file)) return { file, stats: null };
  // Older seeds of this scale are stale once the schema or generator changed: free the disk.
  mkdirSync(CACHE_DIR, { recursive: true });
  const prefix = `discussions-${scale === 1 ? 'full' : `x${scale}`}-`;
  for (const old of readdirSync(CACHE_DIR)) if (old.startsWith(prefix)) rmSync(path.join(CACHE_DIR, old), { force: true });
  const temp = `${file}.building`;
  const stats = await seedDiscussions(temp, scale);
  renameSync(temp, file);
  return { file, stats: { ...stats, file } };
}

export function describeSeed(stats: SeedStats): string {
  return `${stats.plan.posts.toLocaleString('en-US')} posts seeded in ${stats.seconds} s, ${(stats.bytes / 1e9).toFixed(2)} GB`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scaleAt = args.indexOf('--scale');
  const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
  const file = args.find((a, n) => !a.startsWith('--') && args[n - 1] !== '--scale');
  if (!file || !(scale > 0 && scale <= 1)) {
    process.stderr.write('Usage: node --import tsx tests/bench/seed-discussions.ts <dbfile> [--scale 0.1]\n');
    process.exit(1);
  }
  const stats = await seedDiscussions(path.resolve(file), scale);
  process.stdout.write(`Seeded ${stats.file}: ${describeSeed(stats)}\n${JSON.stringify(stats.counts)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    process.stderr.write(`Seeding failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
