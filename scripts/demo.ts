// `npm run demo`: a fictional community to click through, in its own data directory.
// First run seeds task forces, one account per role and two membership requests; later runs just start.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { createDb, runMigrations, type Db } from '../db/client.ts';
import { members, membershipRequests, settings, taskForces, type Discipline, type Role } from '../db/schema/index.ts';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { loadSecretKey, start } from '../server/main.ts';
import { DAY } from '../server/shared/clock.ts';
import { hashPassword, passwordProblem } from '../server/shared/passwords.ts';
import { SecretBox } from '../server/shared/secretBox.ts';
import { generateToken, hashToken } from '../server/shared/tokens.ts';

/** One shared password for every demo account; printed on start, so never reuse it anywhere real. */
const DEMO_PASSWORD = 'violet harbor lantern demo 2048';

interface DemoAccount {
  role: Role;
  name: string;
  email: string;
  jobTitle: string;
  agency: string;
  discipline: Discipline;
  /** Index into TASK_FORCES, or null for program-office staff. */
  taskForce: number | null;
}

const TASK_FORCES = [
  {
    name: 'Riverbend Regional Human Trafficking Task Force (fictional)',
    states: ['OH', 'KY'],
    leadAgency: 'Riverbend County Sheriff’s Office (fictional)',
    grantDays: 400
  },
  {
    // Its grant ends within 25 days, so the access job sends the 30-day reminders on start.
    name: 'Lakeshore Anti-Trafficking Alliance (fictional)',
    states: ['MI'],
    leadAgency: 'Lakeshore City Police Department (fictional)',
    grantDays: 21
  },
  {
    name: 'High Plains ECM Task Force (fictional)',
    states: ['NE', 'KS', 'CO'],
    leadAgency: 'High Plains Victim Services Network (fictional)',
    grantDays: 730
  }
];

const ACCOUNTS: DemoAccount[] = [
  {
    role: 'member',
    name: 'Demo Member Morgan Example',
    email: 'morgan.member@example.org',
    jobTitle: 'Detective (fictional)',
    agency: 'Lakeshore City Police Department (fictional)',
    discipline: 'law_enforcement',
    taskForce: 1
  },
  {
    role: 'coordinator',
    name: 'Demo Coordinator Casey Example',
    email: 'casey.coordinator@example.org',
    jobTitle: 'Task Force Coordinator (fictional)',
    agency: 'Riverbend County Sheriff’s Office (fictional)',
    discipline: 'task_force_coordination',
    taskForce: 0
  },
  {
    role: 'moderator',
    name: 'Demo Moderator Riley Example',
    email: 'riley.moderator@example.org',
    jobTitle: 'Victim Specialist (fictional)',
    agency: 'High Plains Victim Services Network (fictional)',
    discipline: 'victim_services',
    taskForce: 2
  },
  {
    role: 'editor',
    name: 'Demo Editor Jordan Example',
    email: 'jordan.editor@example.org',
    jobTitle: 'Training Editor (fictional)',
    agency: 'ECM Program Office (fictional)',
    discipline: 'other',
    taskForce: null
  },
  {
    role: 'admin',
    name: 'Demo Admin Avery Example',
    email: 'avery.admin@example.org',
    jobTitle: 'Program Administrator (fictional)',
    agency: 'ECM Program Office (fictional)',
    discipline: 'other',
    taskForce: null
  }
];

/** The e-mail domain of the request that arrives flagged as a known agency (also saved in the site settings). */
const KNOWN_AGENCY_DOMAIN = 'riverbend-sheriff.example.org';

const isSeeded = (db: Db) =>
  db
    .select({ id: members.id })
    .from(members)
    .where(eq(members.email, ACCOUNTS.at(-1)!.email))
    .get() !== undefined;
const hasMembers = (db: Db) => db.select({ id: members.id }).from(members).limit(1).get() !== undefined;

async function seed(db: Db, config: Config, box: SecretBox): Promise<void> {
  for (const account of ACCOUNTS) {
    const problem = passwordProblem(DEMO_PASSWORD, account);
    if (problem) throw new Error(`The demo password fails the password rules for ${account.email}: ${problem}`);
  }
  // Hash before the transaction: better-sqlite3 transactions are synchronous.
  const passwordHash = await hashPassword(DEMO_PASSWORD, config.argon2);
  const now = Date.now();
  const request = (minutesAgo: number) => {
    const token = generateToken();
    return {
      statusTokenHash: hashToken(token),
      statusTokenSealed: box.seal(new TextEncoder().encode(token)),
      status: 'submitted' as const,
      confirmedAt: now - minutesAgo * 60_000,
      createdAt: now - (minutesAgo + 5) * 60_000,
      updatedAt: now - minutesAgo * 60_000
    };
  };
  db.transaction((tx) => {
    const forceIds = TASK_FORCES.map(
      (tf) =>
        tx
          .insert(taskForces)
          .values({
            name: tf.name,
            states: tf.states,
            leadAgency: tf.leadAgency,
            grantEndsAt: now + tf.grantDays * DAY,
            createdAt: now,
            updatedAt: now
          })
          .returning({ id: taskForces.id })
          .get().id
    );
    for (const account of ACCOUNTS) {
      tx.insert(members)
        .values({
          email: account.email,
          name: account.name,
          agency: account.agency,
          jobTitle: account.jobTitle,
          discipline: account.discipline,
          taskForceId: account.taskForce === null ? null : forceIds[account.taskForce]!,
          role: account.role,
          status: 'active',
          passwordHash,
          noticeAcceptedAt: now,
          lastActiveAt: now,
          createdAt: now,
          updatedAt: now
        })
        .run();
    }
    tx.insert(settings)
      .values({ key: 'knownAgencyDomains', value: [KNOWN_AGENCY_DOMAIN], updatedAt: now })
      .run();
    tx.insert(membershipRequests)
      .values({
        email: 'sam.applicant@example.org',
        fullName: 'Demo Applicant Sam Example',
        agency: 'Riverbend Legal Aid (fictional)',
        jobTitle: 'Victim Advocate (fictional)',
        discipline: 'victim_services',
        taskForceId: forceIds[0]!,
        supervisorName: 'Pat Example (fictional)',
        supervisorContact: 'pat.supervisor@example.org',
        reason: 'I support survivors referred by the task force and would like to join its training discussions. (Fictional.)',
        knownAgency: false,
        ...request(90)
      })
      .run();
    tx.insert(membershipRequests)
      .values({
        email: `taylor.deputy@${KNOWN_AGENCY_DOMAIN}`,
        fullName: 'Demo Applicant Taylor Example',
        agency: 'Riverbend County Sheriff’s Office (fictional)',
        jobTitle: 'Deputy (fictional)',
        discipline: 'law_enforcement',
        taskForceId: forceIds[0]!,
        supervisorName: 'Lee Example (fictional)',
        supervisorContact: `lee.sergeant@${KNOWN_AGENCY_DOMAIN}`,
        reason: 'Newly assigned to the task force’s investigations unit. (Fictional.)',
        knownAgency: true,
        ...request(20)
      })
      .run();
  });
}

function printAccounts(origin: string): void {
  const rows = ACCOUNTS.map((a) => [a.role, a.email, DEMO_PASSWORD]);
  const widths = [0, 1, 2].map((i) => Math.max(...[['Role', 'E-mail', 'Password'], ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => ('  ' + r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).trimEnd();
  process.stdout.write(
    [
      '',
      'DEMO MODE: fictional data, two-step verification waived. Never use this with real members.',
      `Sign in at ${origin}/sign-in with any of these accounts:`,
      '',
      line(['Role', 'E-mail', 'Password']),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
      ''
    ].join('\n') + '\n'
  );
}

async function main(): Promise<void> {
  // Demo accounts share a published password: listen on this machine only unless HOST says otherwise.
  const env = {
    ...process.env,
    DEMO: 'true',
    DATA_DIR: process.env.DATA_DIR || './demo-data',
    HOST: process.env.HOST || '127.0.0.1'
  };
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  mkdirSync(path.join(config.dataDir, 'files'), { recursive: true });
  const db = createDb(path.join(config.dataDir, 'tfc.sqlite'));
  try {
    runMigrations(db);
    if (!isSeeded(db)) {
      if (hasMembers(db)) {
        throw new Error(
          `${config.dataDir} holds a database with real accounts. Demo mode waives two-step verification, so it only runs on its own data directory (the default is ./demo-data).`
        );
      }
      process.stdout.write(`Seeding fictional demo data into ${config.dataDir}…\n`);
      await seed(db, config, new SecretBox(loadSecretKey(config)));
    }
  } finally {
    db.$client.close();
  }
  printAccounts(config.publicOrigin);
  await start(env);
}

main().catch((err) => {
  process.stderr.write(`Demo failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
