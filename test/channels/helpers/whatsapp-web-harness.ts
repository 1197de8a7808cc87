/**
 * A fake whatsapp-web.js Client (an EventEmitter emitting the library's documented events and
 * recording sendMessage calls) and the contract harness of the whatsapp-web adapter.
 */
import { EventEmitter } from 'node:events';
import type { WwebClient, WwebClientOptions, WwebMessage } from '../../../channels/whatsapp-web/client.js';
import { createWhatsAppWeb, type WhatsAppWebAdapter, whatsappWebOptions } from '../../../channels/whatsapp-web/index.js';
import { Conditions } from '../../helpers/conditions.js';
import { ManualClock, tempDir } from '../../helpers/tmp.js';
import type { AdapterHarness, DeliveryOutcome, FailureMode, SentRecord } from '../adapter-contract.js';
import { type ChannelTestContext, channelContext } from './channel-context.js';

/** Errors the way puppeteer / WhatsApp Web surface them. */
const FAILURES: Record<FailureMode, () => Error> = {
  throttle: () => new Error('Evaluation failed: rate-overlimit'),
  network: () => new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.'),
  permanent: () => new Error('Evaluation failed: Error: wid error: invalid wid'),
};

/** Shared record of what every fake client sent (clients are replaced on reconnect and restart). */
export class FakeWhatsApp {
  readonly sent: Array<SentRecord & { chatId: string }> = [];
  readonly clients: FakeClient[] = [];
  readonly failures: FailureMode[] = [];
  /** Notified at each client made, event emitted and message sent: `changes.until(cond, what)` waits on them. */
  readonly changes = new Conditions();
  /** What `initialize` emits: `ready` at once, or a QR code first (a session not yet linked). */
  linked = true;
  /** Sends that never answer (a hung browser), the next ones first. */
  hangNext = 0;

  /** The factory the adapter gets. */
  factory = (o: WwebClientOptions): WwebClient => {
    const c = new FakeClient(this, o);
    this.clients.push(c);
    this.changes.notify();
    return c;
  };

  /** The newest client. */
  get client(): FakeClient {
    return this.clients[this.clients.length - 1]!;
  }
}

/** One fake Client. */
export class FakeClient extends EventEmitter implements WwebClient {
  destroyed = false;
  constructor(
    private readonly world: FakeWhatsApp,
    readonly options: WwebClientOptions,
  ) {
    super();
  }

  /** Emits as EventEmitter does, then notifies the world's waiters (the adapter's listeners ran synchronously). */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const listened = super.emit(event, ...args);
    this.world.changes.notify();
    return listened;
  }

  async initialize(): Promise<void> {
    if (!this.world.linked) {
      this.emit('qr', '2@AbCdEfGhIjKlMnOp,QrStUvWxYz0123456789=,AbCd==');
      return;
    }
    this.emit('authenticated');
    this.emit('ready');
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }> {
    if (this.destroyed) throw new Error('Protocol error: Target closed.');
    if (this.world.hangNext > 0) {
      this.world.hangNext--;
      return new Promise(() => undefined);
    }
    const f = this.world.failures.shift();
    if (f) throw FAILURES[f]();
    this.world.sent.push({ chatId, to: chatId, text: content, at: performance.now() });
    this.world.changes.notify();
    return { id: { _serialized: `true_${chatId}_3EB0${this.world.sent.length}` } };
  }

  /** Emits an incoming message as whatsapp-web.js does. */
  receive(m: Partial<WwebMessage> & { id: WwebMessage['id']; from: string }): void {
    this.emit('message', { fromMe: false, body: '', type: 'chat', timestamp: 1766383200, isStatus: false, broadcast: false, hasMedia: false, ...m });
  }
}

/** A chat message shaped like whatsapp-web.js's Message. */
export function chatMessage(id: string, from: string, body: string, extra: Partial<WwebMessage> = {}): WwebMessage {
  return {
    id: { _serialized: `false_${from}_${id}`, fromMe: false },
    from,
    fromMe: false,
    body,
    type: 'chat',
    timestamp: 1766383200,
    isStatus: false,
    broadcast: false,
    hasMedia: false,
    ...extra,
  };
}

/** The contract harness. */
export class WhatsAppWebHarness implements AdapterHarness {
  readonly channelId = 'whatsapp-web';
  readonly clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  readonly limits = { maxConcurrent: 1, minTimeMs: 15, perRecipientMinTimeMs: 6000 };
  readonly logs: string[] = [];
  readonly terminal: string[] = [];
  readonly tmp = tempDir('tawasul-wweb-');
  readonly wa = new FakeWhatsApp();
  adapter!: WhatsAppWebAdapter;
  t!: ChannelTestContext;

  constructor(private readonly extra: Record<string, unknown> = {}) {}

  /** Builds and starts the adapter. */
  async start(): Promise<this> {
    this.t = channelContext({
      channelId: this.channelId,
      dataDir: this.tmp.dir,
      clock: this.clock,
      logs: this.logs,
      env: { CHROMIUM_PATH: '/opt/test/chromium' },
    });
    const options = whatsappWebOptions.parse({
      minTimeMs: 15,
      perRecipientMinTimeMs: 6000,
      reconnect: { baseMs: 5, maxMs: 40 },
      retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 },
      ...this.extra,
    });
    this.adapter = createWhatsAppWeb(this.t.ctx, options, { clientFactory: this.wa.factory, terminal: (s) => this.terminal.push(s) });
    await this.adapter.start!();
    await new Promise((r) => setImmediate(r));
    return this;
  }

  get engine() {
    return this.t.ctx.engine;
  }
  get outbox() {
    return this.adapter.outbox;
  }
  get received() {
    return this.t.received;
  }

  /** The chat id of a sender key. */
  chatId(from: string): string {
    let h = 0;
    for (const ch of from) h = (h * 31 + ch.charCodeAt(0)) % 9_000_000;
    return `9689${String(1_000_000 + h).slice(-7)}@c.us`;
  }

  async deliverText(providerId: string, text: string, from: string): Promise<DeliveryOutcome> {
    this.wa.client.receive(chatMessage(providerId, this.chatId(from), text));
    return {};
  }

  async deliverMalformed(): Promise<DeliveryOutcome> {
    this.wa.client.emit('message', { id: null, from: 42 });
    this.wa.client.emit('message', undefined);
    return {};
  }

  async deliverUnsupported(providerId: string, from: string): Promise<DeliveryOutcome> {
    this.wa.client.receive(chatMessage(providerId, this.chatId(from), '', { type: 'sticker', hasMedia: true }));
    return {};
  }

  async drain(): Promise<void> {
    await this.adapter.idle();
    await this.adapter.worker.drain();
  }

  sent(): SentRecord[] {
    return this.wa.sent;
  }

  failNext(n: number, mode: FailureMode): void {
    for (let i = 0; i < n; i++) this.wa.failures.push(mode);
  }

  async restart(): Promise<void> {
    await this.adapter.stop!();
    await this.t.close();
    await this.start();
  }

  async close(): Promise<void> {
    await this.adapter.stop!().catch(() => undefined);
    await this.t.close();
    this.tmp.cleanup();
  }
}
