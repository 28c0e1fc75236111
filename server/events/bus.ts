import type { DomainEvent, EventOf, EventType } from './types.ts';

type Handler<T extends EventType> = (event: EventOf<T>) => void | Promise<void>;

/**
 * The event bus seam. The in-process bus is the default; a Redis or PostgreSQL pub/sub bus can
 * implement the same interface when the app outgrows one process.
 */
export interface EventBus {
  /**
   * Hands the event to its subscribers. The promise settles when they have finished (never
   * rejects: a failing subscriber is logged). Most callers do not wait; a service whose reply
   * promises that a subscriber's rows are stored (a reply's notifications) awaits it.
   */
  publish(event: DomainEvent): Promise<void>;
  on<T extends EventType>(type: T, handler: Handler<T>): void;
  /** Resolves when every handler started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export class InProcessBus implements EventBus {
  private readonly handlers = new Map<EventType, Handler<EventType>[]>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown, event: DomainEvent) => void) {}

  on<T extends EventType>(type: T, handler: Handler<T>): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as unknown as Handler<EventType>);
    this.handlers.set(type, list);
  }

  /** Never throws into the caller: the write has already committed; a failing subscriber is logged. */
  publish(event: DomainEvent): Promise<void> {
    const runs: Promise<void>[] = [];
    for (const handler of this.handlers.get(event.type) ?? []) {
      const run = Promise.resolve()
        .then(() => handler(event as EventOf<EventType>))
        .catch((err) => this.onError(err, event))
        .finally(() => this.pending.delete(run));
      this.pending.add(run);
      runs.push(run);
    }
    return Promise.all(runs).then(() => undefined);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
