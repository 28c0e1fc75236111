import { beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { membershipRequests } from '../../db/schema/index.ts';
import type { RouteInfo } from '../../server/app.ts';
import { generateToken, hashToken } from '../../server/shared/tokens.ts';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { buildMatrixForum, insertReply } from '../support/discussions.ts';
import { buildMatrixLibrary } from '../support/resourceMatrix.ts';
import { createMember, createTaskForce, PASSWORD, sessionCookie, type MemberOptions } from '../support/factories.ts';
import { matrix, PUBLIC_ROUTES, ROLES, type Role, type Row, type Target, type World } from './matrix.ts';

/** One call: a role on a route (on one object, for object-level rows). */
interface Cell {
  route: string;
  role: Role;
  target: Target | null;
  expected: 'allow' | 'deny';
  outcome: 'allow' | 'deny';
  status: number;
  message: string;
  problem: 'unexpected allow' | 'unexpected deny' | 'server error' | 'not found' | 'side door' | null;
  note: string;
}

const keyOf = (r: RouteInfo) => `${r.method} ${r.url}`;

function openRequest(t: TestApp, taskForceId: number, label: string): number {
  const now = t.clock.now();
  const statusToken = generateToken();
  return t.db
    .insert(membershipRequests)
    .values({
      email: `applicant.${label}@police.example.gov`,
      fullName: `Applicant ${label.toUpperCase()}`,
      agency: 'Example Police Department',
      jobTitle: 'Detective',
      discipline: 'law_enforcement',
      taskForceId,
      supervisorName: 'Sgt. Lee Park',
      supervisorContact: 'lee.park@police.example.gov',
      reason: 'I work labor trafficking cases in this task force.',
      status: 'submitted',
      statusTokenHash: hashToken(statusToken),
      statusTokenSealed: t.deps.box.seal(new TextEncoder().encode(statusToken)),
      confirmedAt: now,
      createdAt: now,
      updatedAt: now
    })
    .returning({ id: membershipRequests.id })
    .get().id;
}

async function buildWorld(t: TestApp): Promise<World> {
  const a = createTaskForce(t);
  const b = createTaskForce(t);
  const other = await createMember(t, { taskForceId: a.id });
  const signer = await createMember(t);
  let built: ReturnType<World['forum']> | undefined;
  const forum = () => (built ??= buildMatrixForum(t, a.id, b.id));
  let library: ReturnType<World['library']> | undefined;
  return {
    taskForceA: a.id,
    taskForceB: b.id,
    requestA: openRequest(t, a.id, 'a'),
    requestB: openRequest(t, b.id, 'b'),
    otherMemberId: other.id,
    signerEmail: signer.email,
    forum,
    postBy: async (memberId, target) => insertReply(t, (await forum()).thread[target], memberId),
    library: () => (library ??= buildMatrixLibrary(t, a.id, b.id)),
    t,
    async mfaChallenge() {
      const staff = await createMember(t, { role: 'moderator' });
      const res = await call(t.app, 'POST', '/api/auth/sign-in', { body: { email: staff.email, password: PASSWORD } });
      if (res.json().next !== 'mfa') throw new Error(`sign-in did not ask for a code: ${res.statusCode} ${res.body}`);
      return { cookie: cookiesFrom(res), code: staff.code() };
    }
  };
}

/** The member behind each role; suspended/expired/disabled get a session row inserted directly, so the gate itself must refuse them. */
function memberFor(role: Exclude<Role, 'anonymous'>, w: World): MemberOptions {
  switch (role) {
    case 'pending':
      return { status: 'pending', noticeAccepted: false };
    case 'member':
      return {};
    case 'coordinator':
      return { role: 'coordinator', taskForceId: w.taskForceA };
    case 'suspended':
    case 'expired':
    case 'disabled':
      return { role: 'admin', status: role };
    default:
      return { role };
  }
}

function fillParams(route: string, params: Record<string, string | number> = {}): string {
  return route.replace(/:(\w+)/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`row ${route} gives no value for :${name}`);
    return encodeURIComponent(String(params[name]));
  });
}

function errorMessage(body: string): string {
  try {
    return String((JSON.parse(body) as { error?: { message?: string } }).error?.message ?? '');
  } catch {
    return '';
  }
}

/** A fresh app with the world built in it. */
interface Stage {
  t: TestApp;
  w: World;
}

async function stage(): Promise<Stage> {
  const t = await makeApp();
  return { t, w: await buildWorld(t) };
}

const targetsOf = (row: Row): (Target | null)[] => (row.objectLevel ? ['own', 'other'] : [null]);

const expectedOf = (row: Row, role: Role, target: Target | null): 'allow' | 'deny' => {
  const wanted = row.expect[role];
  return wanted === 'own' ? (target === 'own' ? 'allow' : 'deny') : wanted;
};

async function runCell(row: Row, role: Role, target: Target | null, { t, w }: Stage): Promise<Cell> {
  const callerId = role === 'anonymous' ? null : (await createMember(t, memberFor(role, w))).id;
  const session = callerId === null ? '' : sessionCookie(t, callerId);
  const send = row.send ? await row.send(w, target ?? 'own', callerId) : {};
  const [method, path] = row.route.split(' ') as [InjectOptions['method'], string];
  const res = await call(t.app, method, fillParams(path, send.params), {
    body: send.body,
    query: send.query,
    cookie: [session, send.cookie].filter(Boolean).join('; ') || undefined
  });

  const expected = expectedOf(row, role, target);
  const refused = res.statusCode === 401 || res.statusCode === 403 || (row.hidesAs404 === true && res.statusCode === 404);
  const outcome = refused ? 'deny' : 'allow';
  const message = errorMessage(res.body);
  let problem: Cell['problem'] = null;
  let note = '';
  if (outcome !== expected) problem = outcome === 'allow' ? 'unexpected allow' : 'unexpected deny';
  else if (res.statusCode >= 500) problem = 'server error';
  else if (outcome === 'allow' && res.statusCode === 404 && !row.allows404) {
    problem = 'not found';
    note = 'the gate was passed but the object was missing, so any object-level rule went untested';
  } else if (outcome === 'allow' && row.inspect) {
    const seen = row.inspect(role, res.json(), w);
    if (seen) [problem, note] = ['side door', seen];
  }
  return { route: row.route, role, target, expected, outcome, status: res.statusCode, message, problem, note };
}

/**
 * Every cell expected to be allowed gets its own fresh app: an approval or a suspension must not
 * change what the next cell finds. Cells expected to be refused share one app per row: a refused
 * call runs no handler, so it changes nothing (and one wrongly allowed is reported all the same).
 */
async function runRow(row: Row): Promise<Cell[]> {
  const cells: Cell[] = [];
  let refused: Stage | null = null;
  try {
    for (const role of ROLES) {
      for (const target of targetsOf(row)) {
        if (expectedOf(row, role, target) === 'deny') {
          refused ??= await stage();
          cells.push(await runCell(row, role, target, refused));
          continue;
        }
        const own = await stage();
        try {
          cells.push(await runCell(row, role, target, own));
        } finally {
          await own.t.close();
        }
      }
    }
  } finally {
    await refused?.t.close();
  }
  return cells;
}

function label(c: Cell): string {
  const on = c.target === null ? '' : c.target === 'own' ? ' on own task force’s object' : ' on another task force’s object';
  const why = [c.message, c.note].filter(Boolean).join('; ');
  return `${c.route} — ${c.role}${on}: expected ${c.expected}, got ${c.status}${why ? ` (${why})` : ''} [${c.problem}]`;
}

/**
 * The matrix in `of` parts, one per test file so vitest's two workers share it: part i runs every
 * of-th row from the i-th; part 0 also checks the table itself (one row per route, access, public list).
 */
export function matrixSuite(part: number, of: number): void {
  const rows = matrix.filter((_row, i) => i % of === part);
  const expectedCells = rows.reduce((n, row) => n + ROLES.length * targetsOf(row).length, 0);
  describe(`authorization matrix: every route × every role (part ${part + 1} of ${of})`, () => {
    let routes: RouteInfo[] = [];
    const results: Cell[] = [];

    beforeAll(async () => {
      const t = await makeApp();
      routes = [...t.app.routeList];
      await t.close();
    });

    // The table itself is checked once, by the first part.
    if (part === 0) {
      it('the app registers routes, and the table has one row per route', () => {
        expect(routes.length, 'app.routeList is empty: the matrix would test nothing').toBeGreaterThan(0);
        const registered = new Set(routes.map(keyOf));
        const rows = matrix.map((r) => r.route);
        const duplicates = rows.filter((r, i) => rows.indexOf(r) !== i);
        expect(
          {
            routesWithoutRow: [...registered].filter((k) => !rows.includes(k)),
            rowsWithoutRoute: rows.filter((k) => !registered.has(k)),
            duplicateRows: duplicates
          },
          'Add a row to tests/policies/matrix.ts for each new route (see tests/policies/README.md); remove rows of deleted routes.'
        ).toEqual({ routesWithoutRow: [], rowsWithoutRoute: [], duplicateRows: [] });
      });

      it('each row states the access its route declares', () => {
        const declared = new Map(routes.map((r) => [keyOf(r), r.access]));
        const mismatches = matrix
          .filter((row) => declared.has(row.route) && declared.get(row.route) !== row.access)
          .map((row) => `${row.route}: app declares '${declared.get(row.route)}', table says '${row.access}'`);
        expect(mismatches, 'A route changed its access: review the row before changing it.').toEqual([]);
      });

      it('public routes are exactly the allowed list', () => {
        const allowed: readonly string[] = PUBLIC_ROUTES;
        const publicInApp = routes.filter((r) => r.access === 'public').map(keyOf);
        expect(
          {
            publicButNotAllowed: publicInApp.filter((k) => !allowed.includes(k)),
            allowedButNotPublic: allowed.filter((k) => !publicInApp.includes(k))
          },
          'Only the routes in PUBLIC_ROUTES may be public; everything else is members-only.'
        ).toEqual({ publicButNotAllowed: [], allowedButNotPublic: [] });
      });

      it('rows are well formed', () => {
        const problems = matrix.flatMap((row) => {
          const out: string[] = [];
          const values = ROLES.map((r) => row.expect[r]);
          if (values.some((v) => v === undefined)) out.push(`${row.route}: a role has no expectation`);
          if (values.includes('own') && !row.objectLevel) out.push(`${row.route}: 'own' needs objectLevel: true`);
          if (row.objectLevel && !row.send) out.push(`${row.route}: object-level rows must name their objects`);
          if (row.access === 'public' && values.some((v) => v !== 'allow')) out.push(`${row.route}: public rows allow everyone`);
          if (row.access !== 'public' && row.expect.anonymous !== 'deny')
            out.push(`${row.route}: members-only rows deny anonymous`);
          return out;
        });
        expect(problems).toEqual([]);
      });
    }

    it.each(rows.map((row) => ({ name: `${row.route} [${row.access}]`, row })))('$name', async ({ row }) => {
      expect(
        routes.some((r) => keyOf(r) === row.route),
        `${row.route} is not registered by the app`
      ).toBe(true);
      const cells = await runRow(row);
      results.push(...cells);
      expect(cells.filter((c) => c.problem).map(label)).toEqual([]);
    });

    it('0 unexpected allows and 0 unexpected denies across every cell, none skipped', () => {
      const problemsOf = (p: Cell['problem']) => results.filter((c) => c.problem === p).map(label);
      const allows = results.filter((c) => c.outcome === 'allow').length;
      console.log(`authorization matrix: ${results.length} cells, ${allows} allowed, ${results.length - allows} denied`);
      const [wrongAllows, wrongDenies] = [problemsOf('unexpected allow').length, problemsOf('unexpected deny').length];
      expect(
        {
          cellsRun: results.length,
          unexpectedAllows: problemsOf('unexpected allow'),
          unexpectedDenies: problemsOf('unexpected deny'),
          otherProblems: results.filter((c) => c.problem && !c.problem.startsWith('unexpected')).map(label)
        },
        `${wrongAllows} unexpected allows, ${wrongDenies} unexpected denies, ${results.length} of ${expectedCells} cells run`
      ).toEqual({ cellsRun: expectedCells, unexpectedAllows: [], unexpectedDenies: [], otherProblems: [] });
    });
  });
}
