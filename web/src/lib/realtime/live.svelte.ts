import { invalidateAll } from '$app/navigation';
import {
  backoffDelay,
  CLOSE,
  type ConversationMessage,
  type LiveNotification,
  type ServerMessage,
  type ThreadMessage
} from './protocol';

type ThreadListener = (message: ThreadMessage) => void;
/** `resync`: the socket came back after a gap; messages sent meanwhile were not pushed, so reload. */
export type ConversationEvent = ConversationMessage | { type: 'resync' };
type ConversationListener = (event: ConversationEvent) => void;

/** What the toast says: a new notification, or a summary of those missed while away. */
export interface Announcement {
  /** Grows with every announcement, so the same text twice is still announced. */
  seq: number;
  text: string;
  url: string | null;
}

const cursorKey = (memberId: number) => `tfc.notifications.lastId.${memberId}`;

function readCursor(memberId: number): number | null {
  try {
    const raw = sessionStorage.getItem(cursorKey(memberId));
    const n = raw === null ? NaN : Number(raw);
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

function writeCursor(memberId: number, id: number): void {
  try {
    sessionStorage.setItem(cursorKey(memberId), String(id));
  } catch {
    // Private mode or full storage: the cursor lives in memory for this page only.
  }
}

/**
 * The tab's one live connection (GET /api/ws). Browser only: the layout starts it in an effect for
 * an active member and stops it when the member changes, so nothing here is ever written on the server.
 */
class LiveConnection {
  /** The member this connection is for; null when stopped (the layout then shows its loaded count). */
  memberId = $state<number | null>(null);
  unreadCount = $state(0);
  latest = $state<LiveNotification | null>(null);
  announcement = $state<Announcement | null>(null);
  connected = $state(false);
  /** Unread direct messages (the "Messages (N unread)" nav link). */
  unreadMessages = $state(0);

  #socket: WebSocket | null = null;
  #lastId = 0;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #replaying = 0;
  #replayed = 0;
  #waitingForVisibility = false;
  /** Not reactive on purpose: listeners are plumbing, not state to render. */
  #threads = new Map<number, ThreadListener[]>();
  /** Conversation listeners: null key = every conversation (the inbox). */
  #conversations = new Map<number | null, ConversationListener[]>();
  #helloSeen = false;

  /** Connect for this member (a no-op when already connected for them). */
  start(memberId: number, unreadCount: number, lastId: number, unreadMessages = 0): void {
    if (this.memberId === memberId) return;
    this.stop();
    this.memberId = memberId;
    this.unreadCount = unreadCount;
    this.unreadMessages = unreadMessages;
    // The tab's own cursor first: after a reload it replays what arrived meanwhile.
    this.#lastId = readCursor(memberId) ?? lastId;
    writeCursor(memberId, this.#lastId);
    document.addEventListener('visibilitychange', this.#onVisible);
    this.#open();
  }

  stop(): void {
    clearTimeout(this.#timer);
    document.removeEventListener('visibilitychange', this.#onVisible);
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000);
    }
    this.memberId = null;
    this.connected = false;
    this.latest = null;
    this.announcement = null;
    this.#attempt = 0;
    this.#waitingForVisibility = false;
    this.#helloSeen = false;
  }

  /** A count the server just loaded (after a form action or a navigation) is as fresh as the socket's. */
  syncCount(unreadCount: number): void {
    if (this.memberId !== null) this.unreadCount = unreadCount;
  }

  /** The unread-messages count a page load just brought (after reading a conversation, say). */
  syncMessages(unreadMessages: number): void {
    if (this.memberId !== null) this.unreadMessages = unreadMessages;
  }

  /**
   * Live conversation: hear new and changed messages of one conversation (or, with null, of all:
   * the inbox). Messages come to the member's own room, so nothing is subscribed on the socket.
   */
  watchConversation(conversation: number | null, listener: ConversationListener): () => void {
    this.#conversations.set(conversation, [...(this.#conversations.get(conversation) ?? []), listener]);
    return () => {
      const rest = (this.#conversations.get(conversation) ?? []).filter((l) => l !== listener);
      if (rest.length > 0) this.#conversations.set(conversation, rest);
      else this.#conversations.delete(conversation);
    };
  }

  #toConversations(conversation: number | null, event: ConversationEvent): void {
    const listeners =
      conversation === null
        ? [...this.#conversations.values()].flat()
        : [...(this.#conversations.get(conversation) ?? []), ...(this.#conversations.get(null) ?? [])];
    for (const listener of listeners) listener(event);
  }

  /** The open conversation page announces its own new messages: no toast saying the same. */
  #shownConversation(url: string | null): boolean {
    const match = url ? /^\/messages\/(\d+)$/.exec(url) : null;
    return match !== null && this.#conversations.has(Number(match[1]));
  }

  /** Live thread: listen to one thread's room while a page shows it. Returns the way to stop. */
  watchThread(thread: number, listener: ThreadListener): () => void {
    const listeners = this.#threads.get(thread) ?? [];
    if (listeners.length === 0) this.#send({ type: 'subscribe', thread });
    this.#threads.set(thread, [...listeners, listener]);
    return () => {
      const rest = (this.#threads.get(thread) ?? []).filter((l) => l !== listener);
      if (rest.length > 0) {
        this.#threads.set(thread, rest);
        return;
      }
      this.#threads.delete(thread);
      this.#send({ type: 'unsubscribe', thread });
    };
  }

  #send(message: { type: 'subscribe' | 'unsubscribe'; thread: number }): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #open(): void {
    const memberId = this.memberId;
    if (memberId === null) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/ws?after=${this.#lastId}`);
    this.#socket = socket;
    socket.onopen = () => {
      this.connected = true;
      for (const thread of this.#threads.keys()) this.#send({ type: 'subscribe', thread });
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      try {
        this.#receive(JSON.parse(event.data) as ServerMessage);
      } catch {
        // Not one of ours: ignore rather than drop the connection.
      }
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      const neverOpened = !this.connected;
      this.#socket = null;
      this.connected = false;
      // A refused handshake (signed out elsewhere, access ended) looks like a network failure (1006):
      // after a few, reload the page's data, which sends a signed-out member to sign in.
      if (neverOpened && this.#attempt === 3) void invalidateAll();
      this.#closed(event.code);
    };
  }

  #closed(code: number): void {
    if (code === CLOSE.sessionEnded || code === CLOSE.accessEnded) {
      // Signed out or access ended: the layout's reload sends the member where they belong. Wait a moment:
      // when this tab itself signed out, its own redirect (e.g. to /sign-in?reason=signed-out) is under way
      // and a reload racing it would replace that page.
      this.stop();
      const from = location.href;
      setTimeout(() => {
        if (location.href === from) void invalidateAll();
      }, 1500);
      return;
    }
    if (code === CLOSE.tooManySockets) {
      // Too many tabs: come back only when this one is looked at again.
      this.#waitingForVisibility = true;
      return;
    }
    this.#retry();
  }

  #retry(): void {
    clearTimeout(this.#timer);
    const delay = backoffDelay(this.#attempt++);
    this.#timer = setTimeout(() => this.#open(), delay);
  }

  #onVisible = (): void => {
    if (document.visibilityState !== 'visible' || !this.#waitingForVisibility || this.#socket) return;
    this.#waitingForVisibility = false;
    this.#attempt = 0;
    this.#open();
  };

  #remember(id: number): void {
    if (id <= this.#lastId || this.memberId === null) return;
    this.#lastId = id;
    writeCursor(this.memberId, id);
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
        this.#attempt = 0;
        if (this.#helloSeen) this.#toConversations(null, { type: 'resync' });
        this.#helloSeen = true;
        this.#replaying = message.replaying;
        this.#replayed = 0;
        this.unreadCount = message.unreadCount;
        this.#remember(message.lastId);
        return;
      case 'reset':
        this.#attempt = 0;
        if (this.#helloSeen) this.#toConversations(null, { type: 'resync' });
        this.#helloSeen = true;
        this.unreadCount = message.unreadCount;
        this.#lastId = 0;
        this.#remember(message.lastId);
        return;
      case 'notification':
        this.unreadCount = message.unreadCount;
        this.#remember(message.id);
        this.latest = message.notification;
        if (!message.replay) {
          if (!this.#shownConversation(message.notification.url))
            this.#announce(message.notification.text, message.notification.url);
        } else if (++this.#replayed === this.#replaying) this.#announceMissed();
        return;
      case 'read':
        this.unreadCount = message.unreadCount;
        return;
      case 'post.created':
      case 'post.edited':
      case 'post.hidden':
      case 'post.deleted':
      case 'post.restored':
      case 'thread.changed':
        for (const listener of this.#threads.get(message.thread) ?? []) listener(message);
        return;
      case 'message.created':
      case 'message.changed':
        this.#toConversations(message.conversation, message);
        return;
      case 'messages.unread':
        this.unreadMessages = message.count;
        return;
      default:
        return;
    }
  }

  #announceMissed(): void {
    const n = this.#replaying;
    if (n === 1 && this.latest) this.#announce(this.latest.text, this.latest.url);
    else if (n > 1) this.#announce(`${n} new notifications while you were away`, '/notifications');
  }

  #announce(text: string, url: string | null): void {
    this.announcement = { seq: (this.announcement?.seq ?? 0) + 1, text, url };
  }
}

export const live = new LiveConnection();
