import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, runMigrations } from '../../db/client.ts';
import { SecretBox } from '../../server/shared/secretBox.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const OLD = '1'.repeat(64);
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data directory whose members' TOTP keys and an applicant's status link are sealed with OLD. */
function dataDir(): { dir: string; secrets: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-rotate-'));
  temps.push(dir);
  const db = createDb(path.join(dir, 'tfc.sqlite'));
  runMigrations(db);
  const box = new SecretBox(OLD);
  const secrets = ['totp one', 'totp two', 'status link'];
  const member = db.$client.prepare(
    "INSERT INTO members (email, name, role, status, totp_key, created_at, updated_at) VALUES (?, 'A Member', 'member', 'active', ?, 0, 0)"
  );
  member.run('one@example.gov', box.seal(new TextEncoder().encode(secrets[0])));
  member.run('two@example.gov', box.seal(new TextEncoder().encode(secrets[1])));
  db.$client
    .prepare(
      `INSERT INTO membership_requests (email, full_name, agency, job_title, discipline, supervisor_name, supervisor_contact,
        reason, status, status_token_hash, status_token_sealed, created_at, updated_at)
       VALUES ('a@example.gov', 'A', 'B', 'C', 'other', 'D', 'E', 'F', 'submitted', 'h', ?, 0, 0)`
    )
    .run(box.seal(new TextEncoder().encode(secrets[2])));
  db.$client.close();
  return { dir, secrets };
}

function rotate(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/ops/rotateKeyCli.ts'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }
  });
}

function opened(dir: string, key: string): string[] {
  const db = createDb(path.join(dir, 'tfc.sqlite'));
  const box = new SecretBox(key);
  const sealed = [
    ...(db.$client.prepare('SELECT totp_key AS s FROM members ORDER BY id').all() as { s: string }[]),
    ...(db.$client.prepare('SELECT status_token_sealed AS s FROM membership_requests').all() as { s: string }[])
  ];
  db.$client.close();
  return sealed.map((r) => new TextDecoder().decode(box.open(r.s)));
}

describe('rotating SECRET_KEY', () => {
  it('re-seals every sealed value with a new key file and keeps the old key beside it', () => {
    const { dir, secrets } = dataDir();
    writeFileSync(path.join(dir, 'secret.key'), `${OLD}\n`);
    const run = rotate({ DATA_DIR: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Re-sealed 3 value\(s\)/);
    const newKey = readFileSync(path.join(dir, 'secret.key'), 'utf8').trim();
    expect(newKey).toMatch(/^[0-9a-f]{64}$/);
    expect(newKey).not.toBe(OLD);
    expect(opened(dir, newKey)).toEqual(secrets);
    const kept = readdirSync(dir).filter((n) => n.startsWith('secret.key.old-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dir, kept[0]!), 'utf8').trim()).toBe(OLD);
    expect(existsSync(path.join(dir, 'secret.key.new'))).toBe(false);
  });

  it('with SECRET_KEY in the environment, prints the new key (NEW_SECRET_KEY when given)', () => {
    const { dir, secrets } = dataDir();
    const next = '2'.repeat(64);
    const run = rotate({ DATA_DIR: dir, SECRET_KEY: OLD, NEW_SECRET_KEY: next });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(next);
    expect(opened(dir, next)).toEqual(secrets);
    expect(existsSync(path.join(dir, 'secret.key'))).toBe(false);
  });

  it('refuses, changing nothing, when the current key is not the one the data was sealed with', () => {
    const { dir, secrets } = dataDir();
    writeFileSync(path.join(dir, 'secret.key'), `${'3'.repeat(64)}\n`);
    const run = rotate({ DATA_DIR: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Key rotation refused: members\.totp_key of row \d+ does not open/);
    expect(readFileSync(path.join(dir, 'secret.key'), 'utf8').trim()).toBe('3'.repeat(64));
    expect(existsSync(path.join(dir, 'secret.key.new'))).toBe(false);
    expect(opened(dir, OLD)).toEqual(secrets);
  });
});
