import type { DomainEvent, EventOf, EventType } from './types.ts';

type Handler<T extends EventType> = (event: EventOf<T>) => void | Promise<void>;

/**
 * The event bus seam. The in-process bus is the default; a Redis or PostgreSQL pub/sub bus can
 * implement the same interface when the app outgrows one process.
 */
export interface EventBus {
  publish(event: DomainEvent): void;
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
  publish(event: DomainEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) {
      const run = Promise.resolve()
        .then(() => handler(event as EventOf<EventType>))
        .catch((err) => this.onError(err, event))
        .finally(() => this.pending.delete(run));
      this.pending.add(run);
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
