import { startTimer } from './timer.js';

export type Taken<T> = { received: true; value: T } | { received: false };

interface Waiter<T> {
  resolve(result: Taken<T>): void;
  cancelTimer?: () => void;
}

export interface QueueFlow {
  /** called once the queued bytes reach the high-water mark: stop reading from peers */
  pause(): void;
  /** called once they fall back to the low-water mark: read again */
  resume(): void;
}

/**
 * Incoming messages waiting for the program, in arrival order. Bounded by flow control rather than
 * by dropping: when too many bytes wait, the producer is told to pause its sockets.
 *
 * The head item can be *lent* to another consumer (the add-in's external events): while lent it
 * stays queued but `take` waits for it to be settled — taken by the borrower, or given back — so
 * every item goes to exactly one consumer, in order.
 */
export class MessageQueue<T> {
  private items: T[] = [];
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  private closed = false;
  private readonly waiters: Waiter<T>[] = [];
  /** items that ever left the queue (taken, handed to a waiter, settled): the head's position */
  private removed = 0;
  private lentHead = false;
  /** called after an item is queued or the head moves on (the external-event feed listens) */
  onChange: (() => void) | undefined;
  /** called when a reader starts waiting (a cluster node then fetches from the service's stream) */
  onWait: (() => void) | undefined;

  constructor(
    private readonly sizeOf: (item: T) => number,
    private readonly flow: QueueFlow,
    private readonly highWater: number,
    private readonly lowWater: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Position of the head item: how many items have left the queue so far. */
  get headPosition(): number {
    return this.removed;
  }

  /** Position the next pushed item will get. */
  get tailPosition(): number {
    return this.removed + this.length;
  }

  push(item: T): void {
    // waiters exist with items queued only while the head is lent: they wait for it, in order
    const waiter = this.length === 0 ? this.waiters.shift() : undefined;
    if (waiter) {
      this.removed++;
      waiter.cancelTimer?.();
      waiter.resolve({ received: true, value: item });
      return;
    }
    this.items.push(item);
    this.queuedBytes += this.sizeOf(item);
    if (!this.paused && this.queuedBytes >= this.highWater) {
      this.paused = true;
      this.flow.pause();
    }
    this.onChange?.();
  }

  /**
   * Lends the head item, unless there is none, it is lent already, or a `take` is waiting (a
   * waiting reader always comes first). Settle it with `settle(position, …)`.
   */
  lend(): { item: T; position: number } | undefined {
    if (this.length === 0 || this.lentHead || this.waiters.length > 0) return undefined;
    this.lentHead = true;
    return { item: this.items[this.head] as T, position: this.removed };
  }

  /**
   * Ends a loan: `taken` removes the item (the borrower has it), otherwise it is available again.
   * A settle for an item that is no longer the lent head (the queue was cleared) does nothing.
   */
  settle(position: number, taken: boolean): void {
    if (!this.lentHead || position !== this.removed) return;
    this.lentHead = false;
    if (taken) this.shift();
    while (this.waiters.length > 0 && this.length > 0) {
      const waiter = this.waiters.shift() as Waiter<T>;
      waiter.cancelTimer?.();
      waiter.resolve({ received: true, value: this.shift() });
    }
    if (this.closed && this.length === 0) this.releaseWaiters();
    this.onChange?.();
  }

  get isLent(): boolean {
    return this.lentHead;
  }

  /**
   * The next item, waiting up to `timeoutMs` (0 = until one arrives or the queue is closed).
   * Items queued before `close()` are still handed out; after that it answers "nothing" at once.
   */
  take(timeoutMs: number): Promise<Taken<T>> {
    if (this.length > 0 && !this.lentHead) {
      const value = this.shift();
      this.onChange?.();
      return Promise.resolve({ received: true, value });
    }
    // a lent head is settled soon: wait for it even when closed
    if (this.closed && this.length === 0) return Promise.resolve({ received: false });
    return new Promise((resolve) => {
      const waiter: Waiter<T> = { resolve };
      if (timeoutMs > 0) {
        waiter.cancelTimer = startTimer(timeoutMs, () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          resolve({ received: false });
        });
      }
      this.waiters.push(waiter);
      this.onWait?.();
    });
  }

  /** Readers waiting right now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Items already queued, without waiting: at most `maxCount` of them, together at most `maxBytes`
   * (stopping at the first that does not fit). For handing a batch to a reader that asked for one.
   */
  takeReady(maxCount: number, maxBytes: number): T[] {
    const batch: T[] = [];
    if (this.lentHead) return batch;
    let bytes = 0;
    while (batch.length < maxCount && this.length > 0) {
      const size = this.sizeOf(this.items[this.head] as T);
      if (bytes + size > maxBytes) break;
      bytes += size;
      batch.push(this.shift());
    }
    if (batch.length > 0) this.onChange?.();
    return batch;
  }

  /** Puts items taken earlier back at the head of the queue, in their order (a reader gave them up). */
  putBack(items: readonly T[]): void {
    if (items.length === 0) return;
    let rest = items;
    while (rest.length > 0 && this.length === 0) {
      const waiter = this.waiters.shift();
      if (!waiter) break;
      waiter.cancelTimer?.();
      waiter.resolve({ received: true, value: rest[0] as T });
      rest = rest.slice(1);
    }
    if (rest.length === 0) return;
    const queued = this.items.slice(this.head);
    if (this.lentHead) {
      // never in front of a lent head (the feed settles it by position): right behind it
      this.items = [queued[0] as T, ...rest, ...queued.slice(1)];
    } else {
      this.items = [...rest, ...queued];
      this.removed -= rest.length;
    }
    this.head = 0;
    for (const item of rest) this.queuedBytes += this.sizeOf(item);
    if (!this.paused && this.queuedBytes >= this.highWater) {
      this.paused = true;
      this.flow.pause();
    }
    this.onChange?.();
  }

  /** No more items will come: current waiters get "nothing", queued items stay available. */
  close(): void {
    this.closed = true;
    // waiters with items queued wait for a lent head: settle() answers them
    if (this.length === 0) this.releaseWaiters();
  }

  /** Current waiters get "nothing" now (their reader went away); items stay for the next reader. */
  releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.cancelTimer?.();
      waiter.resolve({ received: false });
    }
  }

  /** Accept items again (a new connection or a new listening run). */
  reopen(): void {
    this.closed = false;
  }

  /** Drop everything and wake every waiter with "nothing". */
  clear(): void {
    this.removed += this.length;
    this.lentHead = false;
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.releaseWaiters();
    this.resumeIfLow();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as unknown as T;
    this.head++;
    this.removed++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.queuedBytes -= this.sizeOf(item);
    this.resumeIfLow();
    return item;
  }

  private resumeIfLow(): void {
    if (this.paused && this.queuedBytes <= this.lowWater) {
      this.paused = false;
      this.flow.resume();
    }
  }
}
