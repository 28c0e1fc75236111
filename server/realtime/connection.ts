import type { WebSocket } from 'ws';
import type { Actor } from '../policies/index.ts';
import type { ClientMessage } from './protocol.ts';

let sequence = 0;

/** One open socket: whose it is, what it listens to, and its health. */
export class Connection {
  /** Opening order: the oldest is closed when a member opens one socket too many. */
  readonly seq = ++sequence;
  /** Cleared at each heartbeat, set again by the pong. */
  alive = true;
  /** The highest notification id sent: a notification is never sent twice on one socket. */
  lastSentId = 0;
  readonly threads = new Set<number>();
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    readonly socket: WebSocket,
    /** Refreshed at every heartbeat and on role changes; audiences are still checked fresh at send time. */
    public actor: Actor
  ) {}

  get memberId(): number {
    return this.actor.id;
  }
  get sessionId(): string {
    return this.actor.sessionId;
  }

  /** True while the client stays under `max` messages per `windowMs`. */
  withinRate(now: number, max: number, windowMs: number): boolean {
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount++;
    return this.windowCount <= max;
  }
}

/** A client's message, or a reason it is not one. */
export function parseClientMessage(raw: string): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'Messages are JSON objects such as {"type":"subscribe","thread":12}.';
  }
  if (typeof value !== 'object' || value === null) return 'Messages are JSON objects.';
  const { type, thread } = value as { type?: unknown; thread?: unknown };
  if (type !== 'subscribe' && type !== 'unsubscribe') return 'Unknown message type: use "subscribe" or "unsubscribe".';
  if (typeof thread !== 'number' || !Number.isInteger(thread) || thread < 1 || thread > 2_147_483_647) {
    return '"thread" must be a thread id (a positive whole number).';
  }
  return { type, thread };
}
