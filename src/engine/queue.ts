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
 */
export class MessageQueue<T> {
  private items: T[] = [];
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  private closed = false;
  private readonly waiters: Waiter<T>[] = [];

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

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
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
  }

  /**
   * The next item, waiting up to `timeoutMs` (0 = until one arrives or the queue is closed).
   * Items queued before `close()` are still handed out; after that it answers "nothing" at once.
   */
  take(timeoutMs: number): Promise<Taken<T>> {
    if (this.length > 0) return Promise.resolve({ received: true, value: this.shift() });
    if (this.closed) return Promise.resolve({ received: false });
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
    });
  }

  /** No more items will come: current waiters get "nothing", queued items stay available. */
  close(): void {
    this.closed = true;
    this.releaseWaiters();
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
