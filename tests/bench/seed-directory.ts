// The directory benchmark's database: 60 task forces, 10,000 active members (and a few hundred who
// are not active) with profiles, per-field visibility, expertise tags and languages, and about
// 2,000 one-to-one conversations holding 20,000 messages, written with raw prepared statements in
// one transaction per table. Runnable alone:
//   node --import tsx tests/bench/seed-directory.ts <dbfile>
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
import { createDb, MIGRATIONS_FOLDER } from '../../db/client.ts';
import { PROFILE_FIELDS, type Discipline, type FieldVisibility, type ProfileField } from '../../db/schema/index.ts';
import { VISIBILITY_COLUMNS } from '../../server/policies/directory.ts';
import { loadConfig } from '../../server/config.ts';
import { renderMarkdown } from '../../server/shared/markdown.ts';
import { hashPassword } from '../../server/shared/passwords.ts';
import { SecretBox } from '../../server/shared/secretBox.ts';
import { BENCH_PASSWORD, BENCH_SECRET_KEY, BENCH_TOTP_KEY, CACHE_DIR, FRAGMENTS, prng, type Rand } from './seed-discussions.ts';

export const PLAN = {
  taskForces: 60,
  activeMembers: 10_000,
  inactiveMembers: 300,
  conversations: 2_000,
  messages: 20_000,
  /** Members whose inbox the benchmark reads: each in 20–24 conversations. */
  hubs: 20,
  /** Conversations long enough for a full page (50 messages) and more. */
  longConversations: 30
};

/** Staff among the active members (ids 1…): admins, moderators, editors, then one coordinator per task force. */
export const STAFF = { admins: 5, moderators: 10, editors: 5 };

const DAY = 86_400_000;
const log = (line: string) => process.stdout.write(`  [seed] ${line}\n`);
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
/** Skewed pick: the first entries are chosen far more often (popular tags, busy task forces). */
const skewed = <T>(r: Rand, list: readonly T[], power: number): T => list[Math.floor(list.length * r() ** power)]!;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ——— People and places: fictional names, real state codes (the directory filters by them).

/** The task forces' home states, busiest first; several states have more than one task force. */
const TF_STATES =
  'TX CA FL NY OH GA IL PA NC MI TX CA AZ WA NJ VA TN OH LA NV MN CO MO IN OR FL SC AL KY OK MD MA WI NY UT NM KS AR MS IA NE ID HI WV CT ME MT ND SD AK DE RI NH VT WY DC PR CA TX GA'.split(
    ' '
  );
const ALL_STATES = [...new Set(TF_STATES)];
const REGIONS = ['Northern', 'Southern', 'Central', 'Eastern', 'Western', 'Coastal', 'Valley', 'Metro', 'Tri-County', 'Capital'];
const CITIES =
  'Cedar Falls, Harbor City, Red Bluff, Pine Ridge, Silverton, Granite Springs, Willow Bend, Copperton, North Haven, Bayside, Stonebridge, Mesa Verde, Riverton, Oak Hollow, Lakeview, Fairmont, Brookfield, Maple Grove, Eastport, Westfield, Summit, Clearwater, Ashford, Highland, Kingsport, Millbrook, Sandpoint, Elmwood, Crescent City, Fox River'.split(
    ', '
  );
const FIRST =
  'Maria James Aisha Daniel Lucia Michael Priya David Fatima Robert Mei Carlos Grace Ahmed Sofia John Keisha Luis Hannah Omar Elena Marcus Thi Kevin Rosa Samuel Nadia Brian Amara Jorge Emily Tariq Ana Christopher Yuki Andre Leila Patrick Camila Dmitri Jasmine Ethan Noor Miguel Olivia Kwame Isabel Ryan Zainab Victor Chloe Hassan Megan Diego Alicia Tyrone Ngozi Sean Paola Wei'.split(
    ' '
  );
const LAST =
  'Garcia Smith Nguyen Johnson Rodriguez Williams Patel Brown Martinez Jones Hernandez Davis Lopez Miller Gonzalez Wilson Kim Anderson Okafor Thomas Perez Taylor Chen Moore Sanchez Jackson Ramirez White Torres Harris Rivera Martin Flores Thompson Khan Clark Reyes Lewis Cruz Walker Morales Hall Ortiz Young Gutierrez Allen Mendoza King Castillo Wright Vargas Scott Romero Green Ali Baker Diaz Adams Kowalski Nelson Reed Ibrahim Carter Delgado Mitchell Tran Roberts Haddad Turner Silva Phillips Mensah Campbell Le Parker Osei Evans Novak Edwards Abebe'.split(
    ' '
  );
const DISCIPLINE_SHARES: [Discipline, number][] = [
  ['law_enforcement', 0.35],
  ['victim_services', 0.65],
  ['prosecution', 0.8],
  ['task_force_coordination', 0.86],
  ['other', 1]
];
const JOBS: Record<Discipline, string[]> = {
  law_enforcement: ['Detective', 'Special Agent', 'Sergeant', 'Patrol Officer', 'Investigator', 'Lieutenant', 'Crime Analyst'],
  prosecution: ['Assistant District Attorney', 'Assistant U.S. Attorney', 'Deputy Prosecutor', 'Victim Witness Coordinator'],
  victim_services: [
    'Victim Advocate',
    'Case Manager',
    'Shelter Director',
    'Immigration Attorney',
    'Outreach Worker',
    'Therapist'
  ],
  task_force_coordination: ['Task Force Coordinator', 'Program Manager', 'Deputy Coordinator'],
  other: ['Program Analyst', 'Labor Inspector', 'Researcher', 'Interpreter', 'Trainer', 'Grants Specialist']
};
const agencyFor = (r: Rand, d: Discipline, city: string): string => {
  const county = city.split(' ')[0]!;
  const options: Record<Discipline, string[]> = {
    law_enforcement: [
      `${city} Police Department`,
      `${county} County Sheriff's Office`,
      'Homeland Security Investigations',
      'Federal Bureau of Investigation',
      'State Bureau of Investigation'
    ],
    prosecution: [`${county} County District Attorney's Office`, "U.S. Attorney's Office", "State Attorney General's Office"],
    victim_services: [
      `${city} Survivor Services`,
      `${county} Legal Aid`,
      `${city} Safe Harbor Shelter`,
      'Refugee Resource Center'
    ],
    task_force_coordination: [
      `${city} Police Department`,
      `${county} County District Attorney's Office`,
      `${city} Survivor Services`
    ],
    other: [
      'State Department of Labor',
      `${county} County Public Health`,
      `${city} Community College`,
      'Regional Interpreter Network'
    ]
  };
  return pick(r, options[d]);
};

/** About 200 areas of expertise, most common first (members pick the first ones far more often). */
export const EXPERTISE: string[] = (() => {
  const core =
    'labor trafficking, sex trafficking, victim services, forensic interviews, t-visa, minors, trauma-informed care, prosecution, financial investigations, continued presence, u-visa, restitution, emergency housing, language access, case management, online investigations, csec, dmst, immigration relief, survivor leadership, data collection, ovc grants, mental health, domestic servitude, debt bondage, agricultural labor, massage businesses, hotel outreach, construction sites, restaurant workers, cross-border cases, tribal communities, rural response, school-based prevention, health care screening, courtroom accompaniment, victim compensation, cryptocurrency tracing, social media analysis, wiretaps, asset forfeiture, grand jury practice, jury selection, expert testimony, child advocacy centers, runaway youth, lgbtq survivors, male survivors, foreign nationals, interpreter services, spanish-language interviews, policy, training, community outreach, hotline tips, task force management, mou drafting, information sharing, wellness, vicarious trauma'.split(
      ', '
    );
  const sectors =
    'fishing, landscaping, nail salon, janitorial, factory, carnival, domestic work, hospitality, meatpacking, dairy farm, cleaning crew, street vending, elder care, trucking, seafood processing'.split(
      ', '
    );
  const aspects = ['investigations', 'outreach', 'interviews', 'referrals', 'prosecutions', 'screening', 'training'];
  const topics =
    'gang-involved, familial, street-based, online, illicit massage, truck stop, forced criminality, youth, cross-border, labor recruiter'.split(
      ', '
    );
  const out = [...core];
  for (const s of sectors) for (const a of aspects.slice(0, 5)) out.push(`${s} ${a}`);
  for (const t of topics) for (const a of aspects) out.push(`${t} ${a}`);
  const unique = [...new Set(out)].slice(0, 200);
  if (unique.length !== 200) throw new Error(`Expected 200 expertise tags, built ${unique.length}`);
  return unique;
})();
const LANGUAGES =
  "Spanish, Spanish, Spanish, Vietnamese, Mandarin, Tagalog, Arabic, French, Haitian Creole, Korean, Russian, Portuguese, American Sign Language, Somali, Hindi, K'iche', Ukrainian, Thai".split(
    ', '
  );

/** A level for one field of a member whose overall stance is `persona` (~70 / 20 / 10 in all). */
function levelFor(r: Rand, persona: FieldVisibility, field: ProfileField): FieldVisibility {
  // Undercover officers and shelter staff: agency and role shown, name and photo to staff only.
  if (persona === 'staff' && (field === 'name' || field === 'photo')) return 'staff';
  if (persona === 'staff' && (field === 'agency' || field === 'jobTitle' || field === 'discipline')) return 'members';
  if (r() < 0.8) return persona;
  const x = r();
  return x < 0.7 ? 'members' : x < 0.9 ? 'task_force' : 'staff';
}

// ——— Messages: short practitioner notes from the discussions seed's fragments (no digits, so the
// privacy guard stays quiet; rendered by the app's own Markdown code).

function messageBody(r: Rand): string {
  const { OPENERS, SUBJECTS, VERBS, OBJECTS, MODIFIERS, CLOSERS } = FRAGMENTS;
  const n = 1 + Math.floor(r() ** 1.5 * 4);
  const sentences: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.15) sentences.push(pick(r, CLOSERS));
    else if (x < 0.3) sentences.push(`Do you have anything on ${pick(r, OBJECTS).replace(/^the /, '')} ${pick(r, MODIFIERS)}?`);
    else {
      const core = `${pick(r, SUBJECTS)} ${pick(r, VERBS)} ${pick(r, OBJECTS)}`;
      sentences.push(x < 0.5 ? `${pick(r, OPENERS)} ${core}.` : `${capital(core)}${r() < 0.5 ? ` ${pick(r, MODIFIERS)}` : ''}.`);
    }
  }
  return r() < 0.2
    ? `${sentences.slice(0, 2).join(' ')}\n\n${sentences.slice(2).join(' ') || pick(r, CLOSERS)}`
    : sentences.join(' ');
}

export interface SeedStats {
  file: string;
  seconds: number;
  bytes: number;
  counts: Record<string, number>;
  /** Share of profile fields at each level, in per cent. */
  visibilityMix: Record<FieldVisibility, number>;
  phases: Record<string, number>;
}

/** The schema this generator writes for; later migrations are applied to each copy (migrateCopy). */
const SEED_SCHEMA = '0010_directory_fts';

function journalUpToSeed(): { idx: number; tag: string }[] {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  const last = journal.entries.findIndex((e) => e.tag === SEED_SCHEMA);
  if (last < 0) throw new Error(`Migration ${SEED_SCHEMA} not found`);
  return journal.entries.slice(0, last + 1);
}

function seedMigrations(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tfc-seed-directory-migrations-'));
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries = journalUpToSeed();
  mkdirSync(path.join(folder, 'meta'));
  writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) copyFileSync(path.join(MIGRATIONS_FOLDER, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
  return folder;
}

/** Build the database at `file` (overwritten). */
export async function seedDirectory(file: string): Promise<SeedStats> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark) / 1000;
    mark = now;
    log(`${name}: ${phases[name]} s`);
  };
  const r = prng(20_261_206);

  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  const migrationsFolder = seedMigrations();
  const migrated = createDb(file);
  migrate(migrated, { migrationsFolder });
  migrated.$client.close();
  rmSync(migrationsFolder, { recursive: true, force: true });
  const db = new Database(file);
  // Bulk load: a journal in memory, no syncs (a failed seed is thrown away, never repaired).
  db.pragma('journal_mode = DELETE');
  if (db.pragma('journal_mode = MEMORY', { simple: true }) !== 'memory') throw new Error('Could not set journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');

  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const start = now - 3 * 365 * DAY;
  const passwordHash = await hashPassword(BENCH_PASSWORD, loadConfig({}).argon2);
  const sealedTotp = new SecretBox(BENCH_SECRET_KEY).seal(BENCH_TOTP_KEY);
  phase('schema and password hash');

  // Task forces.
  const tfCity: string[] = [];
  const insertTaskForce = db.prepare(
    `INSERT INTO task_forces (id, name, states, lead_agency, region, description, grant_ends_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`
  );
  db.transaction(() => {
    TF_STATES.forEach((state, i) => {
      const id = i + 1;
      const city = CITIES[i % CITIES.length]!;
      tfCity[id] = city;
      const region = REGIONS[i % REGIONS.length]!;
      insertTaskForce.run(
        id,
        `${region} ${state} Anti-Trafficking Task Force ${id}`,
        JSON.stringify([state]),
        `${city} Police Department`,
        `${city} and the ${region.toLowerCase()} counties`,
        `The ECM task force for ${city} and the surrounding counties.`,
        start,
        start
      );
    });
  })();
  phase(`task forces: ${PLAN.taskForces}`);

  // Members and their profiles.
  const insertMember = db.prepare(
    `INSERT INTO members (id, email, name, agency, job_title, discipline, task_force_id, role, status, password_hash, totp_key,
       mfa_enabled_at, notice_accepted_at, last_active_at, status_reason, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const visibilityCols = PROFILE_FIELDS.map((f) => VISIBILITY_COLUMNS[f]);
  const insertProfile = db.prepare(
    `INSERT INTO member_profiles (member_id, state, bio, languages, preferred_contact, contact_email, contact_phone, listed,
       ${visibilityCols.join(', ')}, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${visibilityCols.map(() => '?').join(', ')}, ?)`
  );
  const insertTag = db.prepare('INSERT OR IGNORE INTO member_expertise (member_id, tag) VALUES (?, ?)');
  const levels: Record<FieldVisibility, number> = { members: 0, task_force: 0, staff: 0 };
  const total = PLAN.activeMembers + PLAN.inactiveMembers;
  const coordinatorsFrom = STAFF.admins + STAFF.moderators + STAFF.editors + 1;
  db.transaction(() => {
    for (let id = 1; id <= total; id++) {
      const role =
        id <= STAFF.admins
          ? 'admin'
          : id <= STAFF.admins + STAFF.moderators
            ? 'moderator'
            : id < coordinatorsFrom
              ? 'editor'
              : id < coordinatorsFrom + PLAN.taskForces
                ? 'coordinator'
                : 'member';
      const active = id <= PLAN.activeMembers;
      const status = active ? 'active' : pick(r, ['pending', 'suspended', 'expired', 'disabled'] as const);
      const x = r();
      const discipline =
        role === 'coordinator' ? 'task_force_coordination' : DISCIPLINE_SHARES.find(([, share]) => x < share)![0];
      // Task forces differ in size: the first ones (big states) are busier.
      const taskForceId =
        role === 'coordinator'
          ? id - coordinatorsFrom + 1
          : role === 'member' && r() < 0.95
            ? 1 + Math.floor(PLAN.taskForces * r() ** 1.4)
            : null;
      const city = taskForceId ? tfCity[taskForceId]! : pick(r, CITIES);
      const first = pick(r, FIRST);
      const last = skewed(r, LAST, 1.6);
      const name = `${first} ${last}`;
      const email = `${first}.${last}.${id}@${city.toLowerCase().replace(/[^a-z]/g, '')}.example.gov`.toLowerCase();
      const agency = agencyFor(r, discipline, city);
      const jobTitle = pick(r, JOBS[discipline]);
      const mfa = role !== 'member' || r() < 0.3;
      const created = start + Math.floor(r() * 700 * DAY);
      const onboarded = status !== 'pending';
      insertMember.run(
        id,
        email,
        name,
        agency,
        jobTitle,
        discipline,
        taskForceId,
        role,
        status,
        passwordHash,
        mfa ? sealedTotp : null,
        mfa ? created : null,
        onboarded ? created : null,
        onboarded ? now - Math.floor(r() * 30 * DAY) : null,
        status === 'suspended' ? 'Bench: suspended for the benchmark' : null,
        created,
        created
      );
      // Some members never saved a profile: the directory shows them with the defaults.
      if (r() < 0.08) continue;
      const y = r();
      const persona: FieldVisibility = y < 0.7 ? 'members' : y < 0.9 ? 'task_force' : 'staff';
      const fieldLevels = PROFILE_FIELDS.map((f) => levelFor(r, persona, f));
      for (const level of fieldLevels) levels[level]++;
      const tfState = taskForceId ? TF_STATES[taskForceId - 1]! : null;
      const z = r();
      const state = z < 0.85 && tfState ? tfState : z < 0.95 ? pick(r, ALL_STATES) : null;
      const tags = new Set<string>();
      const tagCount = 1 + Math.floor(r() ** 1.3 * 4);
      while (tags.size < tagCount) tags.add(skewed(r, EXPERTISE, 2.2));
      const languages = r() < 0.9 ? ['English'] : [];
      if (r() < 0.35) {
        languages.push(pick(r, LANGUAGES));
        if (r() < 0.2) languages.push(pick(r, LANGUAGES));
      }
      const tagList = [...tags];
      const bio = [
        `${jobTitle} with the ${agency}.`,
        `I work mostly on ${tagList.slice(0, 2).join(' and ')}${r() < 0.5 ? ` ${pick(r, FRAGMENTS.MODIFIERS)}` : ''}.`,
        ...(r() < 0.6 ? [pick(r, ['Happy to talk through cases.', 'Glad to share templates.', 'Ask me about training.'])] : [])
      ].join(' ');
      const c = r();
      const preferred = c < 0.8 ? 'message' : c < 0.95 ? 'email' : 'phone';
      insertProfile.run(
        id,
        state,
        bio,
        JSON.stringify([...new Set(languages)]),
        preferred,
        preferred === 'email' ? email : null,
        preferred === 'phone' ? `(555) 555-01${String(id % 100).padStart(2, '0')}` : null,
        r() < 0.96 ? 1 : 0,
        ...fieldLevels,
        created
      );
      for (const tag of tagList) insertTag.run(id, tag);
    }
  })();
  phase(`members: ${PLAN.activeMembers} active, ${PLAN.inactiveMembers} not active, with profiles`);

  // Conversations: the hubs' (inboxes of 20–24), then pairs drawn across the directory.
  const plainFrom = coordinatorsFrom + PLAN.taskForces;
  const hubs = Array.from({ length: PLAN.hubs }, (_, i) => plainFrom + i * 7);
  const pairs = new Set<string>();
  const convs: { low: number; high: number; length: number; started: number }[] = [];
  const addPair = (a: number, b: number, length: number) => {
    if (a === b) return false;
    const [low, high] = a < b ? [a, b] : [b, a];
    if (pairs.has(`${low}.${high}`)) return false;
    pairs.add(`${low}.${high}`);
    convs.push({ low, high, length, started: now - Math.floor(r() * 365 * DAY) });
    return true;
  };
  const anyActive = () => 1 + Math.floor(r() * PLAN.activeMembers);
  const shortLength = () => 1 + Math.floor(20 * r() ** 1.6);
  for (const [i, hub] of hubs.entries()) {
    const wanted = 20 + (i % 5);
    let made = 0;
    while (made < wanted) if (addPair(hub, anyActive(), made === 0 ? 60 + Math.floor(r() * 60) : shortLength())) made++;
  }
  while (convs.filter((c) => c.length >= 60).length < PLAN.longConversations)
    addPair(anyActive(), anyActive(), 60 + Math.floor(r() * 60));
  while (convs.length < PLAN.conversations) addPair(anyActive(), anyActive(), shortLength());
  // Exactly PLAN.messages in all: trim or pad the short conversations.
  let sum = convs.reduce((a, c) => a + c.length, 0);
  while (sum !== PLAN.messages) {
    const c = convs[Math.floor(r() * convs.length)]!;
    if (c.length >= 60) continue;
    if (sum > PLAN.messages && c.length > 1) {
      c.length--;
      sum--;
    } else if (sum < PLAN.messages && c.length < 40) {
      c.length++;
      sum++;
    }
  }

  // Every message with its time, then ids in time order (as the app allocates them).
  const bodies = Array.from({ length: 800 }, () => {
    const body = messageBody(r);
    const rendered = renderMarkdown(body);
    return { body, html: rendered.html, text: rendered.text };
  });
  const all: { conv: number; sender: number; at: number; body: number; deleted: boolean }[] = [];
  convs.forEach((c, i) => {
    let at = c.started;
    let sender = r() < 0.5 ? c.low : c.high;
    for (let k = 0; k < c.length; k++) {
      all.push({ conv: i, sender, at, body: Math.floor(r() * bodies.length), deleted: r() < 0.005 });
      if (r() < 0.7) sender = sender === c.low ? c.high : c.low;
      at += Math.floor(60_000 + r() ** 3 * 3 * DAY);
    }
  });
  // A conversation that started late may run past now: shift it back.
  const lastAt = new Map<number, number>();
  for (const m of all) lastAt.set(m.conv, Math.max(lastAt.get(m.conv) ?? 0, m.at));
  for (const m of all) {
    const over = lastAt.get(m.conv)! - (now - 60_000);
    if (over > 0) m.at -= over;
  }
  all.sort((a, b) => a.at - b.at || a.conv - b.conv);

  const insertConversation = db.prepare(
    'INSERT INTO conversations (id, member_low, member_high, last_message_id, last_message_at, created_at) VALUES (?, ?, ?, ?, ?, ?)'
  );
  const insertConvMember = db.prepare(
    `INSERT INTO conversation_members (conversation_id, member_id, last_read_message_id, unread_count, last_message_at)
     VALUES (?, ?, ?, ?, ?)`
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, conversation_id, sender_id, body, body_html, body_text, created_at, deleted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const byConv: { id: number; sender: number; deleted: boolean; at: number }[][] = convs.map(() => []);
  // Conversation ids in order of their first message.
  const convId = new Map<number, number>();
  const firstAt = new Map<number, number>();
  for (const m of all) {
    if (convId.has(m.conv)) continue;
    convId.set(m.conv, convId.size + 1);
    firstAt.set(m.conv, m.at);
  }
  let unreadConversations = 0;
  db.transaction(() => {
    // Conversations first (messages reference them); their last message is filled in after.
    for (const [i, id] of [...convId.entries()].sort((a, b) => a[1] - b[1])) {
      const c = convs[i]!;
      insertConversation.run(id, c.low, c.high, null, null, firstAt.get(i));
    }
    all.forEach((m, n) => {
      const id = n + 1;
      const b = bodies[m.body]!;
      insertMessage.run(id, convId.get(m.conv), m.sender, b.body, b.html, b.text, m.at, m.deleted ? m.at + 600_000 : null);
      byConv[m.conv]!.push({ id, sender: m.sender, deleted: m.deleted, at: m.at });
    });
    const setLast = db.prepare('UPDATE conversations SET last_message_id = ?, last_message_at = ? WHERE id = ?');
    convs.forEach((c, i) => {
      const msgs = byConv[i]!;
      const last = msgs[msgs.length - 1]!;
      const id = convId.get(i)!;
      setLast.run(last.id, last.at, id);
      for (const member of [c.low, c.high]) {
        // Read up to the member's own last message at least; most have read everything.
        const own = msgs.filter((m) => m.sender === member);
        const readAll = last.sender === member || r() < 0.7;
        const lastRead = readAll ? last.id : (own[own.length - 1]?.id ?? 0);
        const unread = msgs.filter((m) => m.sender !== member && m.id > lastRead && !m.deleted).length;
        if (unread > 0) unreadConversations++;
        insertConvMember.run(id, member, lastRead, unread, last.at);
      }
    });
  })();
  phase(`conversations: ${convs.length}, messages: ${all.length}`);

  const counts: Record<string, number> = {};
  for (const table of [
    'task_forces',
    'members',
    'member_profiles',
    'member_expertise',
    'conversations',
    'conversation_members',
    'messages'
  ]) {
    counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  counts.activeMembers = (db.prepare(`SELECT count(*) AS n FROM members WHERE status = 'active'`).get() as { n: number }).n;
  counts.expertiseTags = (db.prepare('SELECT count(DISTINCT tag) AS n FROM member_expertise').get() as { n: number }).n;
  counts.conversationsWithUnread = unreadConversations;
  verify(db, hubs, bodies);
  phase('verification');

  db.pragma('locking_mode = NORMAL');
  db.pragma('journal_mode = WAL');
  db.close();
  // Reopen as the app does: this proves the file takes the app's pragmas (WAL, FULL).
  createDb(file).$client.close();
  const fields = levels.members + levels.task_force + levels.staff;
  const share = (n: number) => Math.round((n / fields) * 1000) / 10;
  return {
    file,
    seconds: Math.round(performance.now() - started) / 1000,
    bytes: statSync(file).size,
    counts,
    visibilityMix: { members: share(levels.members), task_force: share(levels.task_force), staff: share(levels.staff) },
    phases
  };
}

/** The reading state is what the app's own recount gives, the hubs have their inboxes, the rendering is the app's. */
function verify(db: Database.Database, hubs: number[], bodies: { body: string; html: string; text: string }[]): void {
  const wrong = db
    .prepare(
      `SELECT count(*) AS n FROM conversation_members cm WHERE cm.unread_count <> (
         SELECT count(*) FROM messages msg WHERE msg.conversation_id = cm.conversation_id AND msg.sender_id <> cm.member_id
           AND msg.id > cm.last_read_message_id AND msg.deleted_at IS NULL)`
    )
    .get() as { n: number };
  if (wrong.n > 0) throw new Error(`${wrong.n} conversation members have an unread count the app would not compute`);
  const inbox = db.prepare('SELECT count(*) AS n FROM conversation_members WHERE member_id = ?');
  for (const hub of hubs) {
    const n = (inbox.get(hub) as { n: number }).n;
    if (n < 20) throw new Error(`Hub member ${hub} has ${n} conversations, expected 20 or more`);
  }
  for (const b of bodies.slice(0, 50)) {
    if (b.html !== renderMarkdown(b.body).html || /\d/.test(b.body))
      throw new Error(`Message body renders differently: ${b.body}`);
  }
  const fk = db.pragma('foreign_key_check') as unknown[];
  if (fk.length > 0) throw new Error(`foreign_key_check: ${fk.length} problems`);
}

/** Which seed a cached file holds: this generator, the fragments and renderer it uses, the migrations up to SEED_SCHEMA. */
export function seedKey(): string {
  const h = createHash('sha256');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(readFileSync(fileURLToPath(new URL('./seed-discussions.ts', import.meta.url))));
  h.update(readFileSync(fileURLToPath(new URL('../../server/shared/markdown.ts', import.meta.url))));
  for (const e of journalUpToSeed()) h.update(readFileSync(path.join(MIGRATIONS_FOLDER, `${e.tag}.sql`)));
  return h.digest('hex').slice(0, 16);
}

/** The seeded database for this generator, from bench/.cache/ or built now (then cached). */
export async function cachedDirectorySeed(): Promise<{ file: string; stats: SeedStats | null }> {
  const prefix = 'directory-';
  const file = path.join(CACHE_DIR, `${prefix}${seedKey()}.sqlite`);
  if (existsSync(file)) return { file, stats: null };
  mkdirSync(CACHE_DIR, { recursive: true });
  // Older directory seeds are stale: free the disk (other benches' files are left alone).
  for (const old of readdirSync(CACHE_DIR)) if (old.startsWith(prefix)) rmSync(path.join(CACHE_DIR, old), { force: true });
  const temp = `${file}.building`;
  const stats = await seedDirectory(temp);
  renameSync(temp, file);
  return { file, stats: { ...stats, file } };
}

export function describeSeed(stats: SeedStats): string {
  const c = stats.counts;
  return `${c.activeMembers!.toLocaleString('en-US')} active members in ${c.task_forces} task forces, ${c.expertiseTags} expertise tags, ${c.conversations!.toLocaleString('en-US')} conversations and ${c.messages!.toLocaleString('en-US')} messages seeded in ${stats.seconds} s (${(stats.bytes / 1e6).toFixed(1)} MB); field visibility ${stats.visibilityMix.members}% all members, ${stats.visibilityMix.task_force}% task force, ${stats.visibilityMix.staff}% staff`;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('Usage: node --import tsx tests/bench/seed-directory.ts <dbfile>\n');
    process.exit(1);
  }
  const stats = await seedDirectory(path.resolve(file));
  process.stdout.write(`Seeded ${stats.file}: ${describeSeed(stats)}\n${JSON.stringify(stats.counts)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    process.stderr.write(`Seeding failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
