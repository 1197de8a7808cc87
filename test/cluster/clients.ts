/**
 * The cluster test's clients, all through the round-robin proxy unless said otherwise: residents on
 * the web chat (each message may land on either instance), Meta posting signed webhooks (again on a
 * cut), and a console's live stream on one given instance.
 */
import { sign } from '../../channels/whatsapp-cloud/inbound.js';
import { textMessage, WA_ENV, webhookBody } from '../channels/helpers/whatsapp-cloud-harness.js';
import { ConsoleClient, type Sse, SseReader } from '../console/helpers.js';
import { ANSWERS, asked } from '../reliability/scenarios.js';
import type { Cluster, Fetched } from './cluster.js';

type Reply = { text: string };
/** A web chat answer. */
export interface Answer {
  duplicate: boolean;
  replies: Reply[];
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const parse = <T>(f: Fetched): T | undefined => {
  try {
    return JSON.parse(f.text) as T;
  } catch {
    return undefined;
  }
};

/** A resident on the web chat; every call goes through the proxy. */
export class Resident {
  conversationId = '';
  private secret = '';
  /** Answers other than 200 with replies, sent again. */
  retries = 0;
  /** Messages never answered (non-200, or no replies, after the bounded retries), with the last status. */
  readonly unanswered: Array<{ clientMessageId: string; status: number; text: string }> = [];
  /** clientMessageId → replies received. */
  readonly answers = new Map<string, Reply[]>();

  constructor(private readonly cluster: Cluster) {}

  get key(): string {
    return `webchat:${this.conversationId}`;
  }

  async open(): Promise<void> {
    const f = await this.cluster.fetch('/api/webchat/conversations', { method: 'POST' });
    const body = parse<{ conversationId: string; secret: string }>(f);
    if (f.status !== 201 || !body) throw new Error(`open: HTTP ${f.status} ${f.text.slice(0, 200)}`);
    ({ conversationId: this.conversationId, secret: this.secret } = body);
  }

  /**
   * Posts one message; a cut, a server error, a 409/429 or an empty duplicate (its turn held by a
   * killed instance) is sent again with the same clientMessageId, as the page does.
   */
  async post(text: string, clientMessageId: string): Promise<Answer> {
    const f = await this.cluster.fetch(
      `/api/webchat/conversations/${this.conversationId}/messages`,
      { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${this.secret}` }, body: JSON.stringify({ text, clientMessageId }) },
      // A refusal of the request itself (4xx: a secret the instance does not know) is final, as for the page.
      (r) => r.status >= 500 || r.status === 409 || r.status === 429 || (r.status === 200 && (parse<Answer>(r)?.replies.length ?? 0) === 0),
      12,
    );
    this.retries += f.retries;
    const a = f.status === 200 ? parse<Answer>(f) : undefined;
    if (!a || a.replies.length === 0) {
      this.unanswered.push({ clientMessageId, status: f.status, text: f.text.slice(0, 200) });
      return { duplicate: false, replies: [] };
    }
    this.answers.set(clientMessageId, a.replies);
    return a;
  }

  /** The transcript as the page reads it (through the proxy). */
  async transcript(): Promise<Array<{ direction: string; text: string }>> {
    const f = await this.cluster.fetch(`/api/webchat/conversations/${this.conversationId}/messages?after=0`, {
      headers: { authorization: `Bearer ${this.secret}` },
    });
    if (f.status !== 200) throw new Error(`transcript: HTTP ${f.status} ${f.text.slice(0, 200)}`);
    return (parse<{ messages: Array<{ direction: string; text: string }> }>(f) ?? { messages: [] }).messages;
  }

  /**
   * Files a training request (menu 2, service 3, every field, then yes); returns the reference the
   * confirmation names, or undefined when the dialogue went astray (recorded in `unanswered`).
   */
  async fileTraining(): Promise<string | undefined> {
    await this.post('السلام عليكم', 'hello');
    await this.post('2', 'menu');
    let r = await this.post('3', 'service');
    for (let i = 0; i < 12; i++) {
      const field = asked(r.replies);
      if (field === 'confirm') break;
      if (!field) return undefined;
      r = await this.post(ANSWERS[field]!, `field-${i}`);
    }
    const done = await this.post('نعم', 'confirm');
    return /BUR-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(done.replies.map((x) => x.text).join('\n'))?.[0];
  }
}

/** Meta: signed webhook deliveries through the proxy, sent again until answered 200. */
export class Meta {
  refused = 0;
  retries = 0;
  constructor(private readonly cluster: Cluster) {}

  /** The body of user `waId`'s message `wamid`. */
  static message(wamid: string, waId: string, text: string): string {
    return JSON.stringify(webhookBody([textMessage(wamid, waId, text)]));
  }

  /** The body of a status webhook (Meta echoes our callback data). */
  static status(wamid: string, to: string, callback: unknown): string {
    return JSON.stringify(
      webhookBody([], { statuses: [{ id: wamid, status: 'sent', timestamp: '1766383201', recipient_id: to, biz_opaque_callback_data: callback }] }),
    );
  }

  async deliver(body: string): Promise<number> {
    const f = await this.cluster.fetch(
      '/webhooks/whatsapp',
      { method: 'POST', headers: { ...JSON_HEADERS, 'x-hub-signature-256': sign(body, WA_ENV.WHATSAPP_APP_SECRET) }, body },
      (r) => r.status !== 200,
      12,
    );
    this.retries += f.retries;
    if (f.status !== 200) this.refused++;
    return f.status;
  }
}

/** Rejects after `ms` naming `what` (bounds a wait on a stream; decides no pass). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A console's live stream on one instance (not through the proxy), signed in with a supervisor token. */
export async function liveStream(origin: string, token: string): Promise<SseReader> {
  return SseReader.open(origin, new ConsoleClient(origin, token));
}

/** The references of the `request` events a stream has shown. */
export const requestEvents = (s: SseReader): string[] => s.events.filter((e: Sse) => e.event === 'request').map((e) => String(e.data.reference));
