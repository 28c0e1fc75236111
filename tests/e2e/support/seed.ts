import path from 'node:path';
import { createDb } from '../../../db/client.ts';
import { members, taskForces, type Discipline, type Role } from '../../../db/schema/index.ts';
import { hashPassword } from '../../../server/shared/passwords.ts';
import { SecretBox } from '../../../server/shared/secretBox.ts';
import { newTotpKey, totpCode, totpStep } from '../../../server/shared/totp.ts';

const DAY = 86_400_000;
/** The server under test runs with these cheap Argon2 parameters (see server.ts). */
const ARGON2 = { memoryCost: 4096, timeCost: 1, parallelism: 1 };

export interface SeededMember {
  id: number;
  name: string;
  email: string;
  password: string;
  /**
   * A TOTP code for the step after the current one (the server accepts one step of drift and refuses
   * a step it already accepted). Throws if asked twice in one 30-second step: sign each member in
   * with TOTP at most once per test.
   */
  code(): string;
}

let counter = 0;

/** Writes fixtures straight into a running server's database file (WAL lets both connections work). */
export function seeder(server: { dataDir: string; secretKey: string }) {
  const db = createDb(path.join(server.dataDir, 'tfc.sqlite'));
  const box = new SecretBox(server.secretKey);

  function taskForce(name: string, states: string[] = ['TX']) {
    const now = Date.now();
    return db
      .insert(taskForces)
      .values({
        name,
        states,
        leadAgency: 'Example County Sheriff (fictional)',
        grantEndsAt: now + 365 * DAY,
        createdAt: now,
        updatedAt: now
      })
      .returning()
      .get();
  }

  async function member(
    opts: { role?: Role; taskForceId?: number | null; name?: string; email?: string; discipline?: Discipline; mfa?: boolean } = {}
  ): Promise<SeededMember> {
    counter++;
    const role = opts.role ?? 'member';
    const key = (opts.mfa ?? role !== 'member') ? newTotpKey() : null;
    const name = opts.name ?? `Seeded Member ${counter}`;
    const email = opts.email ?? `seeded${counter}.${Date.now()}@police.example.gov`;
    const password = `harbor quilt meadow ${counter} lantern`;
    const now = Date.now();
    const row = db
      .insert(members)
      .values({
        email,
        name,
        agency: 'Example Police Department (fictional)',
        jobTitle: 'Detective',
        discipline: opts.discipline ?? 'law_enforcement',
        taskForceId: opts.taskForceId ?? null,
        role,
        status: 'active',
        passwordHash: await hashPassword(password, ARGON2),
        totpKey: key ? box.seal(key) : null,
        mfaEnabledAt: key ? now : null,
        noticeAcceptedAt: now,
        lastActiveAt: now,
        createdAt: now,
        updatedAt: now
      })
      .returning({ id: members.id })
      .get();
    let lastStep = 0;
    return {
      id: row.id,
      name,
      email,
      password,
      code() {
        if (!key) throw new Error(`${email} has no two-step verification`);
        const at = Date.now() + 30_000;
        if (totpStep(at) <= lastStep)
          throw new Error(`a second TOTP code for ${email} within one 30-second step would be refused`);
        lastStep = totpStep(at);
        return totpCode(key, at);
      }
    };
  }

  return { db, taskForce, member, close: () => db.$client.close() };
}
