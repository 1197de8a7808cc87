/**
 * Drives the WhatsApp Cloud adapter the way Meta does: signed webhook POSTs shaped like the
 * documentation into the adapter's express routes on loopback, and a fake Graph API (loopback)
 * receiving the replies. Implements the contract suite's AdapterHarness.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sign } from '../../../channels/whatsapp-cloud/inbound.js';
import { createWhatsAppCloud, type WhatsAppCloudAdapter, whatsappCloudOptions } from '../../../channels/whatsapp-cloud/index.js';
import { ManualClock, tempDir } from '../../helpers/tmp.js';
import type { AdapterHarness, DeliveryOutcome, FailureMode, SentRecord } from '../adapter-contract.js';
import { type ChannelTestContext, channelContext } from './channel-context.js';
import { FakeGraph, type FakeGraphOptions, graphText } from './fake-graph.js';

export const WA_ENV = {
  WHATSAPP_TOKEN: 'EAAG-test-token',
  WHATSAPP_APP_SECRET: 'app-secret-for-tests',
  WHATSAPP_VERIFY_TOKEN: 'verify-me',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
};

/** A webhook body with the given messages (and contacts) for our phone number. */
export function webhookBody(
  messages: unknown[],
  opts: { phoneNumberId?: string; names?: Record<string, string>; statuses?: unknown[] } = {},
): Record<string, unknown> {
  const waIds = [...new Set(messages.map((m) => (m as { from?: string }).from).filter((x): x is string => typeof x === 'string'))];
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '96825643286', phone_number_id: opts.phoneNumberId ?? WA_ENV.WHATSAPP_PHONE_NUMBER_ID },
              ...(messages.length ? { contacts: waIds.map((w) => ({ profile: { name: opts.names?.[w] ?? 'Salim Al Kaabi' }, wa_id: w })) } : {}),
              ...(messages.length ? { messages } : {}),
              ...(opts.statuses ? { statuses: opts.statuses } : {}),
            },
          },
        ],
      },
    ],
  };
}

/** A text message object as Meta sends it. */
export function textMessage(id: string, from: string, body: string, timestamp = '1766383200'): Record<string, unknown> {
  return { from, id, timestamp, type: 'text', text: { body } };
}

/** A running adapter with its loopback server, the fake Graph and the test context. */
export class WhatsAppCloudHarness implements AdapterHarness {
  readonly channelId = 'whatsapp';
  readonly clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  // 25 per second (40 ms apart): the contract measures the gaps at the fake Graph, where a loaded CI machine
  // once delayed one arrival 10 ms past the half gap of 50 per second; a wider gap keeps the same check above that jitter.
  readonly limits = { maxConcurrent: 2, minTimeMs: 40, perRecipientMinTimeMs: 6000 };
  readonly logs: string[] = [];
  readonly tmp = tempDir('tawasul-wa-');
  graph!: FakeGraph;
  adapter!: WhatsAppCloudAdapter;
  t!: ChannelTestContext;
  base = '';
  private server!: Server;
  private readonly senders = new Map<string, string>();

  constructor(
    private readonly extraOptions: Record<string, unknown> = {},
    private readonly graphOptions: Partial<FakeGraphOptions> = {},
  ) {}

  /** Starts the fake Graph and the adapter. */
  async start(): Promise<this> {
    this.graph = await new FakeGraph({ token: WA_ENV.WHATSAPP_TOKEN, ...this.graphOptions }).start();
    await this.open();
    return this;
  }

  private async open(): Promise<void> {
    this.t = channelContext({ channelId: this.channelId, dataDir: this.tmp.dir, clock: this.clock, env: WA_ENV, logs: this.logs });
    const options = whatsappCloudOptions.parse({
      graphBaseUrl: this.graph.url,
      messagesPerSecond: 25,
      maxConcurrent: 2,
      perRecipientMinTimeMs: 6000,
      retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 },
      template: { name: 'tawasul_reply', language: 'ar', bodyParameter: true },
      ...this.extraOptions,
    });
    this.adapter = createWhatsAppCloud(this.t.ctx, options);
    const app = express();
    const router = express.Router();
    this.adapter.routes!(router);
    app.use(router);
    this.server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    await this.adapter.start!();
  }

  private async shut(): Promise<void> {
    await this.adapter.stop!();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    await this.t.close();
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

  /** The WhatsApp id (phone digits) of a sender key. */
  waId(from: string): string {
    if (!this.senders.has(from)) this.senders.set(from, `9689${String(1000000 + this.senders.size).slice(-7)}`);
    return this.senders.get(from)!;
  }

  /** POSTs a body to the webhook, signed with the app secret unless `signature` is given. */
  async post(body: unknown, signature?: string | null): Promise<DeliveryOutcome & { text: string }> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const sig = signature === undefined ? sign(raw, WA_ENV.WHATSAPP_APP_SECRET) : signature;
    if (sig !== null) headers['x-hub-signature-256'] = sig;
    const res = await fetch(`${this.base}/webhooks/whatsapp`, { method: 'POST', headers, body: raw });
    return { status: res.status, text: await res.text() };
  }

  async deliverText(providerId: string, text: string, from: string): Promise<DeliveryOutcome> {
    return this.post(webhookBody([textMessage(`wamid.${providerId}`, this.waId(from), text)]));
  }

  async deliverMalformed(): Promise<DeliveryOutcome> {
    return this.post('{"object":"whatsapp_business_account","entry":[{"changes":"nope"}');
  }

  async deliverUnsupported(providerId: string, from: string): Promise<DeliveryOutcome> {
    return this.post(
      webhookBody([
        {
          from: this.waId(from),
          id: `wamid.${providerId}`,
          timestamp: '1766383200',
          type: 'sticker',
          sticker: { mime_type: 'image/webp', sha256: 'x', id: '1234', animated: false },
        },
      ]),
    );
  }

  async drain(): Promise<void> {
    await this.adapter.idle();
    await this.adapter.worker.drain();
  }

  sent(): SentRecord[] {
    return this.graph.sent.map((s) => ({ to: s.to, text: graphText(s.body), at: s.at }));
  }

  failNext(n: number, mode: FailureMode): void {
    this.graph.failNext(n, mode);
  }

  async restart(): Promise<void> {
    await this.shut();
    await this.open();
  }

  async close(): Promise<void> {
    await this.shut().catch(() => undefined);
    await this.graph.close();
    this.tmp.cleanup();
  }
}
