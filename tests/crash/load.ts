import { createHash } from 'node:crypto';
import type { Fixture, Signed } from './fixture.ts';
import { SESSION_COOKIE } from './fixture.ts';
import { CHILD_ORIGIN, type ServerChild } from './server.ts';

/**
 * The write load of one crash run: concurrent members writing through the HTTP API until the server is
 * killed. Every write answered 2xx goes into the ledger with what it must have stored; nothing else does.
 */

export const KINDS = ['thread', 'reply', 'reaction', 'decision', 'upload'] as const;
export type Kind = (typeof KINDS)[number];

const REACTIONS = ['thumbs_up', 'thanks', 'helpful', 'insightful', 'support'] as const;

export interface AckThread {
  run: number;
  threadId: number;
  postId: number;
  authorId: number;
  title: string;
  body: string;
}
export interface AckReply {
  run: number;
  postId: number;
  threadId: number;
  number: number;
  authorId: number;
  body: string;
}
export interface AckReaction {
  run: number;
  postId: number;
  kind: string;
  memberId: number;
}
export interface AckDecision {
  run: number;
  requestId: number;
  decision: 'approved' | 'declined';
  memberId: number | null;
}
export interface AckUpload {
  run: number;
  resourceId: number;
  versionId: number;
  sha256: string;
  size: number;
}

/** Everything acknowledged on one data directory, across the runs of its chain. */
export class Ledger {
  threads: AckThread[] = [];
  replies: AckReply[] = [];
  reactions: AckReaction[] = [];
  decisions: AckDecision[] = [];
  uploads: AckUpload[] = [];
  /** Content hashes of uploads sent but never acknowledged: the only files allowed to lack a row. */
  unackedUploads = new Set<string>();
  /** Posts members may react to (not their own). */
  posts: { postId: number; authorId: number }[];
  requestQueue: number[];
  private tags = 0;

  constructor(fixture: Fixture) {
    this.posts = fixture.threads.map((t) => ({ postId: t.postId, authorId: t.authorId }));
    this.requestQueue = [...fixture.requestIds];
  }

  /** A word of letters only, unique in this chain (digits could trip the privacy guard). */
  tag(): string {
    let n = ++this.tags;
    let out = '';
    do {
      out = String.fromCharCode(97 + (n % 26)) + out;
      n = Math.floor(n / 26);
    } while (n > 0);
    return `crashmark${out}`;
  }

  count(kind: Kind): number {
    return {
      thread: this.threads,
      reply: this.replies,
      reaction: this.reactions,
      decision: this.decisions,
      upload: this.uploads
    }[kind].length;
  }
}

export interface LoadResult {
  attempted: Record<Kind, number>;
  acked: Record<Kind, number>;
  /** Requests the kill cut off: their writes may or may not have been stored, and either is correct. */
  cutOff: number;
  /** 429s (per-member rate limits): refused cleanly, nothing stored. */
  rateLimited: number;
  /** Any other non-2xx, or a failure before the kill: each is a failure of the run. */
  unexpected: string[];
  /** When the kill came, ms after the load began. */
  killedAtMs: number;
}

/** A small seeded PRNG (mulberry32): a run's choices can be replayed from its seed (its timing cannot). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'shelter referral interview advocate housing protocol training survivor interpreter outreach screening partners checklist grant'.split(
    ' '
  );

interface Ctx {
  server: ServerChild;
  fixture: Fixture;
  ledger: Ledger;
  run: number;
  rng: () => number;
  result: LoadResult;
  stopped: boolean;
}

class Refused extends Error {}

async function send(ctx: Ctx, who: Signed, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const form = body instanceof FormData;
  const res = await fetch(`${ctx.server.url}${path}`, {
    method,
    headers: {
      cookie: `${SESSION_COOKIE}=${who.token}`,
      origin: CHILD_ORIGIN,
      ...(form ? {} : { 'content-type': 'application/json' })
    },
    body: form ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000)
  });
  const text = await res.text();
  if (res.status === 429) throw new Refused('429');
  if (res.status < 200 || res.status >= 300) {
    throw new Refused(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

const one = <T>(rng: () => number, list: T[]): T => list[Math.floor(rng() * list.length)]!;
const sentence = (ctx: Ctx) =>
  Array.from({ length: 6 }, () => one(ctx.rng, WORDS)).join(' ') + ` ${ctx.ledger.tag()} in run ${ctx.run}.`;

const OPS: Record<Kind, (ctx: Ctx) => Promise<void>> = {
  async thread(ctx) {
    const author = one(ctx.rng, ctx.fixture.writers);
    const title = `Practice question ${ctx.ledger.tag()}`;
    const body = sentence(ctx);
    const r = await send(ctx, author, 'POST', `/api/discussions/categories/${ctx.fixture.categoryId}/threads`, { title, body });
    const ack = { run: ctx.run, threadId: Number(r.threadId), postId: Number(r.postId), authorId: author.id, title, body };
    ctx.ledger.threads.push(ack);
    ctx.ledger.posts.push({ postId: ack.postId, authorId: author.id });
  },
  async reply(ctx) {
    const author = one(ctx.rng, ctx.fixture.writers);
    const thread = one(ctx.rng, ctx.fixture.threads);
    const body = sentence(ctx);
    const r = await send(ctx, author, 'POST', `/api/discussions/threads/${thread.id}/posts`, { body });
    const ack = {
      run: ctx.run,
      postId: Number(r.postId),
      threadId: thread.id,
      number: Number(r.number),
      authorId: author.id,
      body
    };
    ctx.ledger.replies.push(ack);
    ctx.ledger.posts.push({ postId: ack.postId, authorId: author.id });
  },
  async reaction(ctx) {
    const post = one(ctx.rng, ctx.ledger.posts);
    const others = ctx.fixture.writers.filter((w) => w.id !== post.authorId);
    const member = one(ctx.rng, others);
    const kind = one(ctx.rng, [...REACTIONS]);
    await send(ctx, member, 'POST', `/api/discussions/posts/${post.postId}/reactions`, { kind, reacted: true });
    ctx.ledger.reactions.push({ run: ctx.run, postId: post.postId, kind, memberId: member.id });
  },
  async decision(ctx) {
    const requestId = ctx.ledger.requestQueue.shift();
    if (requestId === undefined) throw new Error('no membership request left to decide');
    const approve = ctx.rng() < 0.6;
    const path = `/api/admin/membership-requests/${requestId}/${approve ? 'approve' : 'decline'}`;
    const r = await send(ctx, ctx.fixture.admin, 'POST', path, approve ? {} : { reason: 'Not part of an ECM task force yet.' });
    ctx.ledger.decisions.push({
      run: ctx.run,
      requestId,
      decision: approve ? 'approved' : 'declined',
      memberId: approve ? Number(r.memberId) : null
    });
  },
  async upload(ctx) {
    const author = one(ctx.rng, ctx.fixture.writers);
    const content = `Referral checklist ${ctx.ledger.tag()}\n${Array.from({ length: 40 }, () => sentence(ctx)).join('\n')}\n`;
    const sha256 = createHash('sha256').update(content).digest('hex');
    const form = new FormData();
    form.set('title', `Checklist ${ctx.ledger.tag()}`);
    form.set('description', 'A checklist shared during the crash harness.');
    form.set('type', 'template');
    form.set('audience', 'all');
    form.set('file', new Blob([content], { type: 'text/plain' }), 'checklist.txt');
    ctx.ledger.unackedUploads.add(sha256);
    const r = await send(ctx, author, 'POST', '/api/resources/files', form);
    ctx.ledger.unackedUploads.delete(sha256);
    ctx.ledger.uploads.push({
      run: ctx.run,
      resourceId: Number(r.id),
      versionId: Number(r.versionId),
      sha256,
      size: Buffer.byteLength(content)
    });
  }
};

const WEIGHTS: [Kind, number][] = [
  ['reply', 45],
  ['reaction', 20],
  ['thread', 10],
  ['decision', 15],
  ['upload', 10]
];

function pickKind(rng: () => number, uploads: boolean): Kind {
  const weights = WEIGHTS.filter(([k]) => uploads || k !== 'upload');
  let x = rng() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [kind, w] of weights) {
    x -= w;
    if (x < 0) return kind;
  }
  return 'reply';
}

async function worker(ctx: Ctx, uploads: boolean): Promise<void> {
  while (!ctx.stopped) {
    let kind = pickKind(ctx.rng, uploads);
    if (kind === 'decision' && ctx.ledger.requestQueue.length === 0) kind = 'reply';
    ctx.result.attempted[kind]++;
    try {
      await OPS[kind](ctx);
      ctx.result.acked[kind]++;
    } catch (err) {
      if (err instanceof Refused && err.message === '429') ctx.result.rateLimited++;
      else if (err instanceof Refused) ctx.result.unexpected.push(err.message);
      else if (ctx.stopped) ctx.result.cutOff++;
      else ctx.result.unexpected.push(`${kind} failed before the kill: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Drives `workers` concurrent writers, SIGKILLs the server after `killAfterMs`, and waits for it to be gone. */
export async function loadThenKill(
  server: ServerChild,
  fixture: Fixture,
  ledger: Ledger,
  opts: { run: number; killAfterMs: number; workers: number; rng: () => number; uploads: boolean }
): Promise<LoadResult> {
  const zero = () => Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const result: LoadResult = { attempted: zero(), acked: zero(), cutOff: 0, rateLimited: 0, unexpected: [], killedAtMs: 0 };
  const ctx: Ctx = { server, fixture, ledger, run: opts.run, rng: opts.rng, result, stopped: false };
  const began = Date.now();
  const killer = new Promise<void>((resolve) =>
    setTimeout(() => {
      ctx.stopped = true;
      result.killedAtMs = Date.now() - began;
      void server.kill('SIGKILL').then(resolve);
    }, opts.killAfterMs)
  );
  // The server dying on its own before the kill is a failure, not a crash test.
  void server.exited.then(({ signal }) => {
    if (!ctx.stopped) result.unexpected.push(`the server exited on its own (signal ${signal}):\n${server.output()}`);
    ctx.stopped = true;
  });
  await Promise.all([...Array.from({ length: opts.workers }, () => worker(ctx, opts.uploads)), killer]);
  return result;
}
