import { incomingSize, type Incoming } from '../engine/message.js';
import { BATCH_BYTES, BATCH_COUNT, formResult, type CallResult, type ResultForm } from './binding.js';
import { SHARED_FROM } from './shared.js';

/** The engine object a binding receives from (a Client, or a Server with connection ids). */
export interface MessageSource<T> {
  receiveReady(maxCount: number, maxBytes: number): T[];
  giveBack(items: readonly T[]): void;
}

/**
 * A binding's side of batches (docs/protocol.md): the messages sent to the library behind a
 * Принять answer stay lent until the library reports how many BSL took (TAKEN); the others go back
 * to the head of the queue. It also knows the message BSL took last (ДвоичноеСообщение, and a
 * server's ИДОтправителя), whichever form of Принять took it.
 */
export class ReceiveBatches<T> {
  private lent: T[] = [];
  private lastTaken: T | undefined;

  constructor(
    /** read at each use: a server binding may adopt another engine server */
    private readonly source: () => MessageSource<T>,
    private readonly bodyOf: (item: T) => Incoming,
    /** the result of one Принять that took `item` */
    private readonly resultOf: ResultForm<T>,
  ) {}

  /** whether the message BSL took last was binary (false when the last Принять took nothing) */
  get binary(): boolean {
    return this.lastTaken !== undefined && Buffer.isBuffer(this.bodyOf(this.lastTaken));
  }

  /** the message BSL took last; undefined when the last Принять took nothing */
  get last(): T | undefined {
    return this.lastTaken;
  }

  /** The items handed to the library with the last answer and not yet reported taken. */
  get lentItems(): readonly T[] {
    return this.lent;
  }

  /**
   * The answer to a Принять that took `first`: with the messages queued behind it as a batch,
   * unless `alone` (external events borrow from the same queue). `resultOf` shapes each result for
   * the form of Принять asked (ПринятьСообщение returns the message itself). The batch is written
   * from the lent items themselves (no result object per message).
   */
  answer(first: T, alone: boolean, resultOf: ResultForm<T> = this.resultOf): CallResult {
    this.lastTaken = first;
    // A batch ends before a body that would cross in shared memory (src/daemon/shared.ts): only a
    // response's first result may use it, so such a message comes with the next Принять instead.
    const budget = Math.min(BATCH_BYTES - incomingSize(this.bodyOf(first)), SHARED_FROM - 1);
    this.lent = alone ? [] : this.source().receiveReady(BATCH_COUNT, budget);
    return { ...formResult(resultOf, first), more: { items: this.lent, form: resultOf } };
  }

  /** A Принять that took nothing. */
  nothing(): void {
    this.lastTaken = undefined;
  }

  /** TAKEN: BSL took the first `count` lent items; `giveUpRest`: the library dropped the others. */
  taken(count: number, giveUpRest: boolean): void {
    // usually one at a time (the library reports with each request): shift() allocates nothing
    const used = Math.min(count, this.lent.length);
    if (used > 0) this.lastTaken = this.lent[used - 1];
    for (let i = 0; i < used; i++) this.lent.shift();
    if (giveUpRest) this.giveBack();
  }

  /** What is still lent goes back to the head of the queue, in order. */
  giveBack(): void {
    if (this.lent.length === 0) return;
    this.source().giveBack(this.lent);
    this.lent = [];
  }
}
