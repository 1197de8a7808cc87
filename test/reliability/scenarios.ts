/**
 * The reliability scenarios, at any size: bursts on the web chat and on WhatsApp Cloud with the
 * server killed (SIGKILL) and restarted in the middle, and residents confirming requests at once
 * across kills. Each returns one row of counts, taken from the clients' side and from the data
 * directory afterwards; `reliability.test.ts` runs them small, `soak.ts` large.
 */
import { join } from 'node:path';
import { Templates } from '../../bot/core/templates.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { sign } from '../../channels/whatsapp-cloud/inbound.js';
import { FakeGraph, type GraphSent } from '../channels/helpers/fake-graph.js';
import { textMessage, WA_ENV, webhookBody } from '../channels/helpers/whatsapp-cloud-harness.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { Progress, ServerProcess, seeded, until } from './harness.js';

/** One line of the soak table. */
export interface Row {
  scenario: string;
  /** Messages (or confirmations) sent by clients. */
  sent: number;
  /** Answered with the real replies (a reference, for confirmations). */
  answered: number;
  /** Never answered, or answered with nothing. */
  lost: number;
  /** Turns run twice (transcript) or requests filed twice. */
  duplicated: number;
  /** 4xx/5xx answers to well-formed requests. */
  refused: number;
  kills: number;
  /** Requests cut off by a kill and sent again by the client. */
  retried: number;
  /** Scenario-specific figures (replayed at restart, provider duplicates, in-doubt sends). */
  notes: Record<string, number>;
}

type Reply = { text: string };
type PostResult = { duplicate: boolean; replies: Reply[] };

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Kills the server at `thresholds` of `progress` (sorted), unless the clients finish first. */
function killer(server: ServerProcess, progress: Progress, thresholds: number[], done: Promise<unknown>): Promise<void> {
  return killAt(
    server,
    thresholds.map((t) => () => progress.reach(t)),
    done,
  );
}

/** Kills the server each time the next of `moments` resolves, unless the clients finish first. */
async function killAt(server: ServerProcess, moments: Array<() => Promise<void>>, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  for (const moment of moments) {
    await Promise.race([moment(), done.catch(() => undefined)]);
    if (finished) return;
    await server.crash();
  }
}

/** Spreads `kills` thresholds over `total` answers with some seeded jitter. */
function thresholds(total: number, kills: number, rnd: () => number): number[] {
  return Array.from({ length: kills }, (_, k) => Math.max(1, Math.round((total * (k + 1)) / (kills + 1) + (rnd() - 0.5) * (total / (kills + 2))))).sort(
    (a, b) => a - b,
  );
}

/** Web chat client calls that follow the restarts. */
class Chat {
  retried = 0;
  refused = 0;
  conversationId = '';
  /** The conversation secret issued at creation, sent as a bearer token on every post. */
  private secret = '';
  constructor(private readonly server: ServerProcess) {}

  async open(): Promise<void> {
    const { res, cuts } = await this.server.fetch('/api/webchat/conversations', { method: 'POST' });
    this.retried += cuts;
    if (res.status !== 201) throw new Error(`open: HTTP ${res.status}`);
    ({ conversationId: this.conversationId, secret: this.secret } = (await res.json()) as { conversationId: string; secret: string });
  }

  /** Posts one message, retrying the same clientMessageId until a 200. */
  async post(text: string, clientMessageId: string): Promise<PostResult> {
    for (let i = 0; i < 5; i++) {
      const { res, cuts } = await this.server.fetch(`/api/webchat/conversations/${this.conversationId}/messages`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${this.secret}` },
        body: JSON.stringify({ text, clientMessageId }),
      });
      this.retried += cuts;
      if (res.status === 200) return (await res.json()) as PostResult;
      this.refused++;
    }
    return { duplicate: false, replies: [] };
  }
}

/** Opens the data directory at rest (between runs or after a kill). */
function atRest<T>(dataDir: string, fn: (db: SqliteDatabase['db']) => T): T {
  const sql = migratedSqlite(join(dataDir, 'tawasul.sqlite'));
  try {
    return fn(sql.db);
  } finally {
    sql.close();
  }
}

/** Claims left `processing` by a kill: turns the restart has to finish. */
const unfinished = (db: SqliteDatabase['db']): number => db.prepare(`SELECT count(*) FROM inbox WHERE state = 'processing'`).pluck().get() as number;

/** C conversations × M messages on the web chat, killed `kills` times. */
export async function webchatBurst(o: { conversations: number; messages: number; kills: number; seed?: number }): Promise<Row> {
  const tmp = tempDir('tawasul-rel-webchat-');
  let cutMidTurn = 0;
  const server = new ServerProcess({
    dataDir: tmp.dir,
    slowMs: 15,
    onKilled: () => {
      cutMidTurn += atRest(tmp.dir, unfinished);
    },
  });
  try {
    await server.start();
    const progress = new Progress();
    const chats = Array.from({ length: o.conversations }, () => new Chat(server));
    await Promise.all(chats.map((c) => c.open()));
    const outcomes: PostResult[] = [];
    const run = Promise.all(
      chats.map(async (chat, c) => {
        for (let m = 0; m < o.messages; m++) {
          const text = m % 2 === 0 ? 'السلام عليكم' : `عندي شكوى على الشارع رقم ${c} ${m}`;
          const r = await chat.post(text, `m${m}`);
          outcomes.push(r);
          progress.inc();
        }
      }),
    );
    await killer(server, progress, thresholds(o.conversations * o.messages, o.kills, seeded(o.seed ?? 1)), run);
    await run;
    // A retry of every last message again: a finished message's replies come back, no second turn.
    const again = await Promise.all(chats.map((chat) => chat.post('again', `m${o.messages - 1}`)));
    await server.stop();
    const perConversation = atRest(
      tmp.dir,
      (db) => db.prepare(`SELECT key, count(*) AS n FROM transcript WHERE direction = 'in' GROUP BY key`).all() as Array<{ key: string; n: number }>,
    );
    const duplicated = perConversation.reduce((s, r) => s + Math.max(0, r.n - o.messages), 0);
    const answered = outcomes.filter((r) => r.replies.length > 0).length;
    return {
      scenario: 'web chat burst',
      sent: outcomes.length,
      answered,
      lost: outcomes.length - answered,
      duplicated,
      refused: chats.reduce((s, c) => s + c.refused, 0),
      kills: server.kills,
      retried: chats.reduce((s, c) => s + c.retried, 0),
      notes: {
        'cut mid-turn': cutMidTurn,
        'retries answered as duplicate': outcomes.filter((r) => r.duplicate && r.replies.length > 0).length,
        'empty duplicates': outcomes.filter((r) => r.duplicate && r.replies.length === 0).length + again.filter((r) => r.replies.length === 0).length,
      },
    };
  } finally {
    server.kill();
    tmp.cleanup();
  }
}

const t = new Templates();
const FIELDS = ['name', 'civilId', 'phone', 'email', 'address', 'party', 'description', 'preferredDate'] as const;
export const ANSWERS: Record<string, string> = {
  name: 'سالم بن علي الكعبي',
  civilId: '12345678',
  phone: '92345678',
  email: 'تخطي',
  address: 'ولاية البريمي، حي الخضراء قرب المسجد',
  party: 'تخطي',
  description: 'يوجد طلب واضح ومحدد أرجو متابعته في أقرب وقت',
  preferredDate: 'الأسبوع القادم',
};

/** The field the last reply asks for, or 'confirm'. */
export function asked(replies: Reply[]): string | undefined {
  const last =
    replies
      .map((r) => r.text)
      .join('\n\n')
      .trim()
      .split('\n\n')
      .at(-1) ?? '';
  for (const f of FIELDS) if (last.endsWith(t.render('ar', `ask_${f}`))) return f;
  if (last.includes(t.render('ar', 'confirm').split('\n').at(-1)!)) return 'confirm';
  return undefined;
}

/** Takes a web chat conversation to the summary of a request (menu 2, service 1, every field). */
async function toSummary(chat: Chat): Promise<void> {
  await chat.post('السلام عليكم', 'hello');
  await chat.post('2', 'menu');
  let r = await chat.post('1', 'service');
  for (let i = 0; i < 12; i++) {
    const field = asked(r.replies);
    if (field === 'confirm') return;
    if (!field) throw new Error(`unexpected reply: ${r.replies.map((x) => x.text).join(' | ')}`);
    r = await chat.post(ANSWERS[field]!, `field-${i}`);
  }
  throw new Error('dialogue did not reach the summary');
}

/** R residents at the summary confirm at once; the server is killed `kills` times during the burst. */
export async function concurrentConfirmations(o: { residents: number; kills: number; seed?: number }): Promise<Row> {
  const tmp = tempDir('tawasul-rel-confirm-');
  let filedMidTurn = 0;
  const midTurn = (db: SqliteDatabase['db']): number =>
    db
      .prepare(`SELECT count(*) FROM requests r JOIN inbox i
      ON r.source_key = i.channel || char(0) || i.message_id WHERE i.state = 'processing'`)
      .pluck()
      .get() as number;
  const server = new ServerProcess({
    dataDir: tmp.dir,
    fileMs: 25,
    onKilled: () => {
      filedMidTurn += atRest(tmp.dir, midTurn);
    },
  });
  try {
    await server.start();
    const chats = Array.from({ length: o.residents }, () => new Chat(server));
    await Promise.all(
      chats.map(async (c) => {
        await c.open();
        await toSummary(c);
      }),
    );
    const confirmations: PostResult[] = new Array(o.residents);
    const run = Promise.all(
      chats.map(async (chat, i) => {
        confirmations[i] = await chat.post('نعم', 'confirm');
      }),
    );
    const rnd = seeded(o.seed ?? 7);
    // Kills early in the burst, each as soon as the server reports the n-th filing: that turn (and
    // others) is then between filing and its end, whatever the machine's load.
    const at = Array.from({ length: o.kills }, (_, k) => Math.max(1, Math.round((((k + 1) * o.residents) / (o.kills + 3)) * (0.75 + rnd() / 2))));
    await killAt(
      server,
      [...new Set(at)].sort((a, b) => a - b).map((n) => () => server.filed.reach(n)),
      run,
    );
    await run;
    await server.stop();
    const filed = atRest(
      tmp.dir,
      (db) => db.prepare('SELECT conversation_key AS key, reference FROM requests').all() as Array<{ key: string; reference: string }>,
    );
    const byConversation = new Map<string, string[]>();
    for (const f of filed) byConversation.set(f.key, [...(byConversation.get(f.key) ?? []), f.reference]);
    const notified = atRest(
      tmp.dir,
      (db) => db.prepare(`SELECT count(*) FROM outbox WHERE recipient_kind IS NOT NULL AND source_key LIKE 'notify:accepted:%'`).pluck().get() as number,
    );
    let answered = 0;
    chats.forEach((chat, i) => {
      const refs = byConversation.get(`webchat:${chat.conversationId}`) ?? [];
      const text = confirmations[i]!.replies.map((r) => r.text).join('\n');
      if (refs.length > 0 && text.includes(refs[0]!)) answered++;
    });
    return {
      scenario: 'concurrent confirmations',
      sent: o.residents,
      answered,
      lost: o.residents - answered,
      duplicated: filed.length - byConversation.size,
      refused: chats.reduce((s, c) => s + c.refused, 0),
      kills: server.kills,
      retried: chats.reduce((s, c) => s + c.retried, 0),
      notes: { 'filed, turn cut by a kill': filedMidTurn, 'requests filed': filed.length, 'filing notices queued': notified },
    };
  } finally {
    server.kill();
    tmp.cleanup();
  }
}

/**
 * N WhatsApp users send one message each; kills during the sends; then Meta redelivers a third.
 * With `statuses`, the fake provider posts Meta's status webhook (carrying our callback data) for
 * every send it accepted, retried across restarts as Meta does, and the server holds an in-doubt
 * send `holdMs` for it; without, every in-doubt send goes out again at once.
 */
export async function whatsappBurst(o: {
  users: number;
  kills: number;
  statuses?: boolean;
  holdMs?: number;
  concurrency?: number;
  seed?: number;
}): Promise<Row> {
  const tmp = tempDir('tawasul-rel-wa-');
  const reports: Array<Promise<unknown>> = [];
  let server!: ServerProcess;
  const status = (s: GraphSent): void => {
    const body = JSON.stringify(
      webhookBody([], {
        statuses: [{ id: s.wamid, status: 'sent', timestamp: '1766383201', recipient_id: s.to, biz_opaque_callback_data: s.body.biz_opaque_callback_data }],
      }),
    );
    reports.push(
      server
        .fetch('/webhooks/whatsapp', { method: 'POST', headers: { ...JSON_HEADERS, 'x-hub-signature-256': sign(body, WA_ENV.WHATSAPP_APP_SECRET) }, body })
        .catch(() => undefined),
    );
  };
  const sends = new Progress();
  const graph = await new FakeGraph({
    token: WA_ENV.WHATSAPP_TOKEN,
    delayMs: 15,
    acceptOnArrival: true,
    onAccepted: (s) => {
      sends.inc();
      if (o.statuses) status(s);
    },
  }).start();
  let cutMidTurn = 0;
  server = new ServerProcess({
    dataDir: tmp.dir,
    graphUrl: graph.url,
    slowMs: 10,
    holdMs: o.statuses ? (o.holdMs ?? 1500) : 0,
    onKilled: () => {
      cutMidTurn += atRest(tmp.dir, unfinished);
    },
  });
  try {
    await server.start();
    const waIds = Array.from({ length: o.users }, (_, i) => `9689${String(1_000_000 + i)}`);
    const bodies = waIds.map((w, i) => JSON.stringify(webhookBody([textMessage(`wamid.rel${i}`, w, `complaint number ${i}`)])));
    let refused = 0;
    let retried = 0;
    const post = async (i: number): Promise<void> => {
      const { res, cuts } = await server.fetch('/webhooks/whatsapp', {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'x-hub-signature-256': sign(bodies[i]!, WA_ENV.WHATSAPP_APP_SECRET) },
        body: bodies[i]!,
      });
      retried += cuts;
      if (res.status !== 200) refused++;
      posted.inc();
    };
    const posted = new Progress();
    const c = o.concurrency ?? 8;
    let next = 0;
    const run = Promise.all(
      Array.from({ length: c }, async () => {
        while (next < o.users) await post(next++);
      }),
    ).then(() =>
      graph.changes.until(() => new Set(graph.sent.map((s) => s.to)).size === o.users, 'a reply to every user', 60_000 + 200 * o.users).catch(() => undefined),
    );
    // Kills alternate between the webhook burst (turns in flight) and the sends (provider calls in flight).
    const at = thresholds(o.users, o.kills, seeded(o.seed ?? 3));
    await killAt(
      server,
      at.map((t, k) => () => (k % 2 === 0 ? posted.reach(Math.ceil(t / 2)) : sends.reach(t))),
      run,
    );
    await run;
    // Meta delivers at least once: a third of the webhooks again, after the last restart.
    const redelivered = waIds.filter((_, i) => i % 3 === 0).length;
    for (let i = 0; i < o.users; i += 3) await post(i);
    const settled = (): boolean =>
      atRest(
        tmp.dir,
        (db) =>
          (db
            .prepare(`SELECT
        (SELECT count(*) FROM outbox WHERE state = 'pending')
        + (SELECT count(*) FROM inbox WHERE state = 'processing' OR (state IN ('accepted','done') AND accepted_at IS NOT NULL))`)
            .pluck()
            .get() as number) === 0,
      );
    await until(settled, 30_000 + 100 * o.users, 'every queue empty');
    await Promise.all(reports);
    const metrics = await (await server.fetch('/metrics')).res.text();
    const counted = (outcome: string): number =>
      [...metrics.matchAll(new RegExp(`^tawasul_outbox_in_doubt_sends_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'gm'))].reduce(
        (s, m) => s + Number(m[1]),
        0,
      );
    await server.stop();
    const perUser = new Map<string, number>();
    for (const s of graph.sent) perUser.set(s.to, (perUser.get(s.to) ?? 0) + 1);
    const answered = waIds.filter((w) => (perUser.get(w) ?? 0) > 0).length;
    const providerDuplicates = [...perUser.values()].reduce((s, n) => s + n - 1, 0);
    const turns = atRest(tmp.dir, (db) => db.prepare(`SELECT count(*) FROM transcript WHERE direction = 'in'`).pluck().get() as number);
    return {
      scenario: `WhatsApp Cloud burst${o.statuses ? ', status webhooks' : ''}`,
      sent: o.users,
      answered,
      lost: o.users - answered,
      duplicated: Math.max(0, turns - o.users),
      refused,
      kills: server.kills,
      retried,
      notes: {
        'cut mid-turn': cutMidTurn,
        redelivered,
        'provider duplicate sends': providerDuplicates,
        'in-doubt resent (metric)': counted('resent'),
        'in-doubt confirmed (metric)': counted('confirmed'),
      },
    };
  } finally {
    server.kill();
    await graph.close();
    tmp.cleanup();
  }
}
