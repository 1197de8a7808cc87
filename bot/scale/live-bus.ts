/**
 * Nudges between instances: "there is something new in the shared store" (a console event
 * appended), over Redis pub/sub. A nudge carries no personal data, only what the receiver needs to
 * look it up in the store it shares with the sender; the store stays the source of truth, so a
 * nudge lost while Redis reconnects delays an event until the next one, it never drops it.
 * In process there is nobody else to tell: publishing does nothing.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';

/** Topic → handlers of nudges sent by other instances. */
export interface Bus {
  /** Tells the other instances (never this one); failures are logged, not thrown. */
  publish(topic: string, message: string): void;
  /** Calls `fn` for each message other instances publish on `topic`; returns the unsubscribe. */
  subscribe(topic: string, fn: (message: string) => void): () => void;
  close(): Promise<void>;
}

/** One instance: nothing to tell. */
export const localBus: Bus = {
  publish: () => undefined,
  subscribe: () => () => undefined,
  close: async () => undefined,
};

const PREFIX = 'tawasul:bus:';

/** The bus on Redis: publishes on `client`, listens on its own subscriber connection (opened at the first subscribe). */
export class RedisBus implements Bus {
  private subscriber: Redis | undefined;
  private ready: Promise<void> | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    private readonly client: Redis,
    /** This instance: its own messages are not delivered back to it. */
    private readonly instance: string,
    private readonly logger?: Logger,
  ) {}

  publish(topic: string, message: string): void {
    this.client.publish(PREFIX + topic, `${this.instance}\n${message}`).catch((err: unknown) => {
      this.logger?.warn({ topic, error: (err as Error)?.name }, 'bus: publish failed (the others catch up at the next one)');
    });
  }

  subscribe(topic: string, fn: (message: string) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      if (this.subscriber) this.join(this.subscriber, [topic]);
      else void this.listen();
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  private join(sub: Redis, topics: string[]): Promise<void> {
    if (topics.length === 0) return Promise.resolve();
    return sub.subscribe(...topics.map((t) => PREFIX + t)).then(
      () => undefined,
      (err: unknown) => this.logger?.warn({ error: (err as Error)?.name }, 'bus: subscribe failed'),
    );
  }

  /** Resolves once the subscriber connection has subscribed to the topics known now. */
  listen(): Promise<void> {
    this.ready ??= (() => {
      // Its own connection (a subscribed one takes no other commands). Commands wait for it to be up,
      // and ioredis resubscribes by itself after a reconnect.
      const sub = this.client.duplicate({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null });
      sub.on('error', () => undefined);
      sub.on('message', (channel: string, raw: string) => {
        const i = raw.indexOf('\n');
        if (i < 0 || raw.slice(0, i) === this.instance) return;
        const message = raw.slice(i + 1);
        for (const fn of this.handlers.get(channel.slice(PREFIX.length)) ?? []) fn(message);
      });
      this.subscriber = sub;
      sub.connect().catch((err: unknown) => this.logger?.warn({ error: (err as Error)?.name }, 'bus: Redis unreachable, retrying'));
      return this.join(sub, [...this.handlers.keys()]);
    })();
    return this.ready;
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    await sub?.quit().catch(() => sub.disconnect());
  }
}
