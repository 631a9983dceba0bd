/**
 * External events (docs/features.md "External events", docs/protocol.md "External events"): with
 * ВнешниеСобытия = Истина the native library runs a thread with a second engine connection that
 * asks for one event at a time (NEXT), raises it with IAddInDefBase::ExternalEvent and says whether
 * the platform took it (ACK).
 *
 * A message event *borrows* the head of the object's receive queue: until the ACK it is neither
 * gone nor available to Принять (a Принять meanwhile waits for the answer). Taken → the message is
 * gone; refused (the platform's event queue is full) → it stays at the head for Принять, and the
 * feed offers it (or whatever is at the head by then) again after a short delay. So every message
 * reaches the program exactly once, through an event or through Принять, in arrival order.
 *
 * Notices (open, close, error) are kept in the same order relative to the messages around them and
 * are retried the same way; they are never given to Принять.
 */
import { randomBytes } from 'node:crypto';
import type { PropSpec } from '../api/table.js';
import { EngineError } from '../engine/errors.js';
import type { MessageQueue } from '../engine/queue.js';
import type { Lang } from '../i18n/messages.js';
import { checkSetting, settingCount } from './settings.js';
import type { WireValue } from './wire.js';

export interface FeedEvent {
  readonly seq: number;
  readonly source: string;
  readonly name: string;
  readonly data: string;
}

/** What a message becomes as an event: its name and data. */
export type EventFormat<T> = (item: T) => { name: string; data: string };

type NoticeData = string | ((lang: Lang) => string);

interface Notice {
  /** the receive queue's tail position when it happened: messages before it come first */
  readonly position: number;
  readonly name: string;
  readonly data: NoticeData;
}

type Loan =
  | { readonly kind: 'message'; readonly event: FeedEvent; readonly position: number }
  | { readonly kind: 'notice'; readonly event: FeedEvent; readonly notice: Notice };

/** Delay before offering an event again after the platform refused one: doubling, 10 → 100 ms. */
const RETRY_FIRST_MS = 10;
const RETRY_MAX_MS = 100;
/** Notices waiting beyond this many are dropped, oldest first (messages never are). */
const MAX_NOTICES = 10_000;

/** The default Источник of the events. */
export const DEFAULT_EVENT_SOURCE = 'WebSocket';

/** Feeds with external events on, by token (what SUBSCRIBE names). */
const feeds = new Map<string, EventFeed<unknown>>();

/** The properties every class has for external events (src/api/table.ts). */
export const EVENT_PROPS = ['ExternalEvents', 'EventSource', 'EventBufferDepth'] as const;

export function isEventProp(prop: PropSpec | undefined): boolean {
  return prop !== undefined && (EVENT_PROPS as readonly string[]).includes(prop.en);
}

export class EventFeed<T> {
  source = DEFAULT_EVENT_SOURCE;
  /** the depth the library asked the platform for (1 = the platform's initial depth) */
  depth = 1;
  /** the object's language, for the texts of error events */
  lang: () => Lang = () => 'ru';
  /** what SUBSCRIBE names; fixed for the object's life */
  readonly token = randomBytes(16).toString('hex');
  private on = false;
  private queue: MessageQueue<T> | undefined;
  private notices: Notice[] = [];
  private loan: Loan | undefined;
  private subscriber: object | undefined;
  private waiting: { resolve(event: FeedEvent): void; reject(error: Error): void } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = 0;
  private seq = 0;

  constructor(private readonly format: EventFormat<T>) {}

  get enabled(): boolean {
    return this.on;
  }

  /** Borrows message events from `queue` (the engine object's receive queue). */
  attach(queue: MessageQueue<T>): void {
    if (this.queue === queue) return;
    if (this.queue) {
      this.giveBack();
      this.queue.onChange = undefined;
    }
    this.queue = queue;
    queue.onChange = () => this.poke();
    this.poke();
  }

  // ---- the properties -----------------------------------------------------------------------

  get(prop: PropSpec): WireValue {
    switch (prop.en) {
      case 'ExternalEvents':
        return this.on;
      case 'EventSource':
        return this.source;
      default:
        return this.depth;
    }
  }

  /** Sets one of EVENT_PROPS; switching the events on answers the token the library subscribes with. */
  set(prop: PropSpec, value: WireValue): WireValue {
    const v = checkSetting(prop, value);
    switch (prop.en) {
      case 'ExternalEvents':
        if (v as boolean) {
          this.enable();
          return this.token;
        }
        this.disable();
        return undefined;
      case 'EventSource':
        this.source = v as string;
        return undefined;
      default: {
        const depth = settingCount(prop, v as number);
        if (depth < 1) throw new EngineError('badSettingValue', [prop, new EngineError('positiveWhole')]);
        this.depth = depth;
        return undefined;
      }
    }
  }

  private enable(): void {
    if (this.on) return;
    this.on = true;
    feeds.set(this.token, this as EventFeed<unknown>);
    this.poke();
  }

  private disable(): void {
    if (!this.on) return;
    this.on = false;
    feeds.delete(this.token);
    this.notices = [];
    this.endWaiting();
    // a loan out now is answered by the library's ACK (or given back when its connection closes)
  }

  /** The object is gone. */
  dispose(): void {
    this.disable();
    if (this.subscriber) this.unsubscribe(this.subscriber);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.queue) this.queue.onChange = undefined;
    this.queue = undefined;
  }

  // ---- what happens ----------------------------------------------------------------------------

  /** Records an open/close/error notice (only while the events are on). */
  notice(name: string, data: NoticeData): void {
    if (!this.on) return;
    this.notices.push({ position: this.queue?.tailPosition ?? 0, name, data });
    if (this.notices.length > MAX_NOTICES) this.notices.shift();
    this.poke();
  }

  // ---- the events connection (EventStream) ---------------------------------------------------

  subscribe(subscriber: object): void {
    if (!this.on) throw new EngineError('eventsOff');
    if (this.subscriber && this.subscriber !== subscriber) this.unsubscribe(this.subscriber);
    this.subscriber = subscriber;
  }

  /** The stream closed: an event it had and did not answer was not raised. */
  unsubscribe(subscriber: object): void {
    if (this.subscriber !== subscriber) return;
    this.subscriber = undefined;
    this.endWaiting();
    this.giveBack();
  }

  next(subscriber: object): Promise<FeedEvent> {
    if (!this.on || this.subscriber !== subscriber) return Promise.reject(new EngineError('eventsOff'));
    if (this.waiting) return Promise.reject(new Error('NEXT while another NEXT waits'));
    // the library answers every event before asking for the next; if not, it was not raised
    this.giveBack();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.poke();
    });
  }

  ack(subscriber: object, seq: number, taken: boolean): void {
    const loan = this.loan;
    if (!loan || loan.event.seq !== seq || this.subscriber !== subscriber) return;
    this.loan = undefined;
    if (taken) {
      this.retryDelay = 0;
    } else {
      this.retryDelay = Math.min(Math.max(RETRY_FIRST_MS, this.retryDelay * 2), RETRY_MAX_MS);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.poke();
      }, this.retryDelay);
    }
    this.settle(loan, taken);
    this.poke();
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Offers the next event to a waiting NEXT, if there is one and nothing is out. */
  private poke(): void {
    if (!this.waiting || this.loan || this.retryTimer || !this.on) return;
    const queue = this.queue;
    const notice = this.notices[0];
    let loan: Loan | undefined;
    if (notice && (!queue || notice.position <= queue.headPosition)) {
      this.notices.shift();
      const data = typeof notice.data === 'string' ? notice.data : notice.data(this.lang());
      loan = { kind: 'notice', notice, event: this.event(notice.name, data) };
    } else if (queue) {
      const lent = queue.lend();
      if (lent) {
        const { name, data } = this.format(lent.item);
        loan = { kind: 'message', position: lent.position, event: this.event(name, data) };
      }
    }
    if (!loan) return;
    this.loan = loan;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve(loan.event);
  }

  private event(name: string, data: string): FeedEvent {
    // numbered 1…2^31−1 and round again: the number crosses as a whole Number, ACK carries a u32
    this.seq = (this.seq % 0x7fffffff) + 1;
    return { seq: this.seq, source: this.source, name, data };
  }

  private settle(loan: Loan, taken: boolean): void {
    if (loan.kind === 'message') this.queue?.settle(loan.position, taken);
    else if (!taken && this.on) this.notices.unshift(loan.notice);
  }

  /** The event out was not raised: the message is available again, the notice first in line. */
  private giveBack(): void {
    const loan = this.loan;
    if (!loan) return;
    this.loan = undefined;
    this.settle(loan, false);
  }

  private endWaiting(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(new EngineError('eventsOff'));
  }
}

/** One events connection of the library (after SUBSCRIBE): NEXT and ACK go to its feed. */
export class EventStream {
  private feed: EventFeed<unknown> | undefined;

  subscribe(token: string): void {
    const feed = feeds.get(token);
    if (!feed) throw new EngineError('eventsOff');
    feed.subscribe(this);
    this.feed = feed;
  }

  next(): Promise<FeedEvent> {
    if (!this.feed) return Promise.reject(new EngineError('eventsOff'));
    return this.feed.next(this);
  }

  ack(seq: number, taken: boolean): void {
    this.feed?.ack(this, seq, taken);
  }

  close(): void {
    this.feed?.unsubscribe(this);
    this.feed = undefined;
  }
}
