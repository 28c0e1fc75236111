import { WebSocket } from 'ws';
import type { Deps } from '../context.ts';
import { isActiveMember, STAFF_ROLES, type Actor } from '../policies/index.ts';
import { sessionActor } from '../modules/notifications/actors.ts';
import { presentNotification } from '../modules/notifications/present.ts';
import { lastId, replayAfter, unreadCount, visibleById } from '../modules/notifications/store.ts';
import { unreadMessageTotal } from '../modules/messages/store.ts';
import { activeMember, maySubscribe, moderatorsAmong, threadReaders } from './audience.ts';
import { Connection, parseClientMessage } from './connection.ts';
import { frameText, writeFrame, type Frame } from './frames.ts';
import { CLOSE, type ServerMessage } from './protocol.ts';

/**
 * The WebSocket hub: the sockets open on THIS process, grouped in rooms — user:ID (a member's own
 * sockets: notifications, read state), thread:ID (members viewing a thread: live posts) and staff
 * (moderators: the flag queue).
 *
 * Why it holds no state beyond its own sockets (so more than one process can run):
 *  - It only reacts to bus events (server/events/subscribers/realtime.ts) and never writes: the
 *    notifications subscriber persists first and then publishes notification.created; the hub reads
 *    the committed row (and the unread count) from the shared database before pushing it.
 *  - Replay after a reconnect comes from the database too, so a client may reconnect to any process.
 *  - Audiences are decided at send time from the database with the HTTP policies.
 * With a Redis or PostgreSQL bus, every process subscribes to the fan-out events
 * (notification.created, notifications.read, post.*, thread.moderated, post.flagged, session.revoked,
 * member.*) and delivers to its local sockets; work events (persisting notifications, mail) must go
 * to one consumer only (a consumer group / a job queue), or each process would store a copy.
 */

export interface HubOptions {
  heartbeatMs: number;
  /** A socket whose unsent bytes pass this is dropped (a slow client must not grow memory). */
  maxBufferedBytes: number;
  maxSocketsPerMember: number;
  maxThreadsPerSocket: number;
}

type DropReason = 'slow' | 'heartbeat';

const CLIENT_MESSAGES_PER_WINDOW = 60;
const CLIENT_WINDOW_MS = 10_000;
/** A socket asked to close and not closing is cut off after this long (revocation must be quick). */
const CLOSE_GRACE_MS = 1_000;

export class Hub {
  private readonly byMember = new Map<number, Set<Connection>>();
  private readonly byThread = new Map<number, Set<Connection>>();
  private readonly staff = new Set<Connection>();
  private readonly all = new Set<Connection>();
  private timer: NodeJS.Timeout | null = null;
  readonly dropped: Record<DropReason | 'replaced', number> = { slow: 0, heartbeat: 0, replaced: 0 };

  constructor(
    private readonly deps: Deps,
    readonly options: HubOptions
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.heartbeat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Shutdown: every client is told to come back (1001), then cut off if it does not close. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const conn of [...this.all]) this.end(conn, CLOSE.restarting, 'server restarting');
  }

  stats() {
    return { sockets: this.all.size, members: this.byMember.size, threads: this.byThread.size, dropped: { ...this.dropped } };
  }

  socketsOf(memberId: number): number {
    return this.byMember.get(memberId)?.size ?? 0;
  }

  /** A socket that passed the handshake: replay what it missed, then join its rooms. */
  accept(socket: WebSocket, actor: Actor, after: number | null): void {
    const conn = new Connection(socket, actor);
    socket.on('pong', () => (conn.alive = true));
    socket.on('close', () => this.remove(conn));
    socket.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? null : String(data)));

    const own = this.byMember.get(actor.id) ?? new Set<Connection>();
    // The newest socket is the tab in use; the oldest is likeliest a forgotten tab or a dead laptop.
    while (own.size >= this.options.maxSocketsPerMember) {
      const oldest = [...own].reduce((a, b) => (a.seq < b.seq ? a : b));
      this.dropped.replaced++;
      this.end(oldest, CLOSE.tooManySockets, 'too many connections: the oldest was closed');
    }

    // Synchronous from here to joining the rooms: no push can slip between the replay and the live stream.
    const count = unreadCount(this.deps.db, actor);
    const newest = lastId(this.deps.db, actor.id);
    if (after === null) {
      this.send(conn, { type: 'hello', lastId: newest, unreadCount: count, replaying: 0 });
      conn.lastSentId = newest;
    } else {
      const replay = replayAfter(this.deps.db, actor, after, this.deps.clock.now());
      if (replay.reset) {
        this.send(conn, { type: 'reset', lastId: newest, unreadCount: count });
        conn.lastSentId = newest;
      } else {
        this.send(conn, { type: 'hello', lastId: newest, unreadCount: count, replaying: replay.rows.length });
        for (const row of replay.rows) {
          this.send(conn, {
            type: 'notification',
            id: row.id,
            notification: presentNotification(row),
            unreadCount: count,
            replay: true
          });
        }
        conn.lastSentId = Math.max(after, replay.rows.at(-1)?.id ?? 0);
      }
    }
    if (socket.readyState !== WebSocket.OPEN) return;
    own.add(conn);
    this.byMember.set(actor.id, own);
    this.all.add(conn);
    if (STAFF_ROLES.includes(actor.role)) this.staff.add(conn);
  }

  /** A committed notification, pushed to the member's sockets here, if it is still theirs to see. */
  deliverNotification(memberId: number, notificationId: number): void {
    const own = this.byMember.get(memberId);
    if (!own?.size) return;
    const actor = activeMember(this.deps, memberId);
    if (!actor) return this.closeMember(memberId, CLOSE.accessEnded, 'access ended');
    const row = visibleById(this.deps.db, actor, notificationId);
    if (!row) return;
    const frame = frameText(
      JSON.stringify({
        type: 'notification',
        id: row.id,
        notification: presentNotification(row),
        unreadCount: unreadCount(this.deps.db, actor)
      } satisfies ServerMessage)
    );
    for (const conn of [...own]) {
      if (conn.lastSentId >= row.id) continue;
      if (this.sendFrame(conn, frame)) conn.lastSentId = row.id;
    }
  }

  /** Read state changed: every tab's badge follows. */
  pushRead(memberId: number, ids: number[] | null): void {
    const own = this.byMember.get(memberId);
    if (!own?.size) return;
    const actor = activeMember(this.deps, memberId);
    if (!actor) return this.closeMember(memberId, CLOSE.accessEnded, 'access ended');
    const frame = frameText(
      JSON.stringify({ type: 'read', ids, unreadCount: unreadCount(this.deps.db, actor) } satisfies ServerMessage)
    );
    for (const conn of [...own]) this.sendFrame(conn, frame);
  }

  /** The member's own sockets (direct messages), while they may still use the community. */
  toMember(memberId: number, message: ServerMessage): void {
    const own = this.byMember.get(memberId);
    if (!own?.size) return;
    if (!activeMember(this.deps, memberId)) return this.closeMember(memberId, CLOSE.accessEnded, 'access ended');
    const frame = frameText(JSON.stringify(message));
    for (const conn of [...own]) this.sendFrame(conn, frame);
  }

  /** The unread-messages badge of every tab of the member, read from the database now. */
  pushUnreadMessages(memberId: number): void {
    if (!this.byMember.get(memberId)?.size) return;
    this.toMember(memberId, { type: 'messages.unread', count: unreadMessageTotal(this.deps.db, memberId) });
  }

  /** Live thread updates, to the viewers who may read the thread now; the others leave the room. */
  toThread(threadId: number, message: ServerMessage): void {
    const room = this.byThread.get(threadId);
    if (!room?.size) return;
    const conns = [...room];
    const readers = threadReaders(this.deps, [...new Set(conns.map((c) => c.memberId))], threadId);
    const frame = frameText(JSON.stringify(message));
    for (const conn of conns) {
      if (readers.has(conn.memberId)) this.sendFrame(conn, frame);
      else {
        this.leaveThread(conn, threadId);
        this.send(conn, { type: 'unsubscribed', thread: threadId });
      }
    }
  }

  /** The staff room, to those who moderate now. */
  toModerators(message: ServerMessage): void {
    if (this.staff.size === 0) return;
    const conns = [...this.staff];
    const moderators = moderatorsAmong(this.deps, [...new Set(conns.map((c) => c.memberId))]);
    const frame = frameText(JSON.stringify(message));
    for (const conn of conns) if (moderators.has(conn.memberId)) this.sendFrame(conn, frame);
  }

  closeSessions(sessionIds: readonly string[], code: number, reason: string): void {
    const ended = new Set(sessionIds);
    for (const conn of [...this.all]) if (ended.has(conn.sessionId)) this.end(conn, code, reason);
  }

  closeMember(memberId: number, code: number, reason: string): void {
    for (const conn of [...(this.byMember.get(memberId) ?? [])]) this.end(conn, code, reason);
  }

  /** Role or task force changed: refresh the member's sockets (and their rooms) at once. */
  refreshMember(memberId: number): void {
    for (const conn of [...(this.byMember.get(memberId) ?? [])]) this.revalidate(conn);
  }

  private onMessage(conn: Connection, raw: string | null): void {
    if (!conn.withinRate(this.deps.clock.now(), CLIENT_MESSAGES_PER_WINDOW, CLIENT_WINDOW_MS)) {
      return this.end(conn, CLOSE.policy, 'too many messages');
    }
    const message = raw === null ? 'Send text frames with JSON messages.' : parseClientMessage(raw);
    if (typeof message === 'string') return void this.send(conn, { type: 'error', code: 'invalid', message });
    const thread = message.thread;
    if (message.type === 'unsubscribe') {
      this.leaveThread(conn, thread);
      return void this.send(conn, { type: 'unsubscribed', thread });
    }
    if (!conn.threads.has(thread) && conn.threads.size >= this.options.maxThreadsPerSocket) {
      const text = `Follow at most ${this.options.maxThreadsPerSocket} threads on one connection: unsubscribe from one first.`;
      return void this.send(conn, { type: 'error', code: 'too_many_threads', message: text, thread });
    }
    const actor = sessionActor(this.deps, conn.sessionId);
    if (!actor || !isActiveMember(actor)) return this.end(conn, CLOSE.sessionEnded, 'session ended');
    conn.actor = actor;
    if (!maySubscribe(this.deps, actor, thread)) {
      const text = 'That thread was not found, or you do not have access to it.';
      return void this.send(conn, { type: 'error', code: 'not_found', message: text, thread });
    }
    conn.threads.add(thread);
    const room = this.byThread.get(thread) ?? new Set<Connection>();
    room.add(conn);
    this.byThread.set(thread, room);
    this.send(conn, { type: 'subscribed', thread });
  }

  /** Ping every socket; drop those that missed the last pong; close those whose session has ended. */
  private heartbeat(): void {
    for (const conn of [...this.all]) {
      if (!conn.alive) {
        this.drop(conn, 'heartbeat');
        continue;
      }
      if (!this.revalidate(conn)) continue;
      conn.alive = false;
      try {
        conn.socket.ping();
      } catch {
        this.drop(conn, 'heartbeat');
      }
    }
  }

  /** Sessions end by idle time too, with no event: each heartbeat checks. Returns false when closed. */
  private revalidate(conn: Connection): boolean {
    const actor = sessionActor(this.deps, conn.sessionId);
    if (!actor) {
      this.end(conn, CLOSE.sessionEnded, 'session ended');
      return false;
    }
    if (!isActiveMember(actor)) {
      this.end(conn, CLOSE.accessEnded, 'access ended');
      return false;
    }
    conn.actor = actor;
    if (STAFF_ROLES.includes(actor.role)) this.staff.add(conn);
    else this.staff.delete(conn);
    return true;
  }

  private send(conn: Connection, message: ServerMessage): boolean {
    return this.sendFrame(conn, frameText(JSON.stringify(message)));
  }

  private sendFrame(conn: Connection, frame: Frame): boolean {
    const socket = conn.socket;
    if (socket.readyState !== WebSocket.OPEN) return false;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.drop(conn, 'slow');
      return false;
    }
    return writeFrame(socket, frame);
  }

  private leaveThread(conn: Connection, threadId: number): void {
    conn.threads.delete(threadId);
    const room = this.byThread.get(threadId);
    room?.delete(conn);
    if (room?.size === 0) this.byThread.delete(threadId);
  }

  private remove(conn: Connection): void {
    if (!this.all.delete(conn)) return;
    this.staff.delete(conn);
    for (const threadId of [...conn.threads]) this.leaveThread(conn, threadId);
    const own = this.byMember.get(conn.memberId);
    own?.delete(conn);
    if (own?.size === 0) this.byMember.delete(conn.memberId);
  }

  /** A polite close with a code the client acts on; cut off if the peer does not answer. */
  private end(conn: Connection, code: number, reason: string): void {
    this.remove(conn);
    const socket = conn.socket;
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, reason);
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private drop(conn: Connection, why: DropReason): void {
    this.dropped[why]++;
    this.remove(conn);
    conn.socket.terminate();
  }
}
