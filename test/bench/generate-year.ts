/**
 * Makes a pre-filled store: a year of Tawasul in `<dir>/tawasul.sqlite` — conversations, transcript
 * lines, the inbound ledger, first-response records, requests with their events and notifications —
 * and optionally a backlog of pending notifications (no SMS transport: a provider down for a day).
 * Bulk inserts in one transaction with the journal off; then the SLA engine's first start adopts the
 * open requests, as on a real store, and what came due is marked fired (as a year of sweeps would
 * have). Data are synthetic (no real person).
 *
 *   npx tsx test/bench/generate-year.ts DIR [--scale 1] [--backlog 380000] [--empty]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { Inbox } from '../../bot/delivery/inbox.js';
import { attachSla } from '../../bot/sla/attach.js';
import { SqliteConversationStore } from '../../bot/store/conversation-store.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { migratedSqlite } from '../helpers/sqlite.js';

/** What to generate. */
export interface YearOptions {
  /** 1 = 100k conversations, 1M transcript lines, 200k requests. */
  scale?: number;
  /** Pending notifications without a transport (the backlog case). */
  backlog?: number;
  /** Only the schema (and the backlog, if any): no year of data. */
  empty?: boolean;
  now?: Date;
}

const YEAR_MS = 365 * 86_400_000;
const INBOUND = [
  'السلام عليكم',
  'كم رسوم تصريح البناء؟',
  'عندي شكوى على تأخر جمع النفايات',
  'what documents do I need for a trade licence?',
  'أبغى أقدم طلب تدريب',
  'متى يفتح مكتب البلدية؟',
  'thank you',
  'الشارع فيه حفرة كبيرة قرب المدرسة',
  'hello',
  'BUR-2026-00042 وين وصل طلبي',
];
const OUTBOUND = [
  'وعليكم السلام، كيف نخدمك؟',
  'رسوم تصريح البناء حسب المساحة، التفاصيل في بوابة الخدمات.',
  'نأسف لذلك، سجلنا شكواك برقم مرجعي.',
  'You need a copy of your civil ID and the tenancy contract.',
  'ما اسمك الكامل؟',
  'أوقات الدوام من 7:30 إلى 14:30.',
];

/** Fills `dir` and returns what it wrote. */
export async function generateYear(dir: string, o: YearOptions = {}): Promise<Record<string, number>> {
  const scale = o.scale ?? 1;
  const now = (o.now ?? new Date()).getTime();
  const config = loadConfig();
  const sql = migratedSqlite(join(dir, 'tawasul.sqlite'));
  new SqliteConversationStore(sql);
  new Inbox(sql);
  new SqliteRequestStore(sql);
  const calendar = new WorkingCalendar(config.calendar);
  const counts: Record<string, number> = {};
  let seed = 7;
  const rnd = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const t0 = performance.now();
  sql.db.pragma('journal_mode = OFF');
  sql.db.pragma('synchronous = OFF');
  sql.db.pragma('cache_size = -262144');
  sql.tx(() => {
    if (!o.empty) {
      const db = sql.db;
      const nConv = Math.round(100_000 * scale);
      const insConv = db.prepare(`INSERT INTO conversations (key, channel, conversation_id, owner, agent_id, language, queued_at, taken_at, last_message_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const insLine = db.prepare('INSERT INTO transcript (key, direction, author, text, kind, at) VALUES (?, ?, ?, ?, ?, ?)');
      const insInbox = db.prepare(
        `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, replies, raw) VALUES (?, ?, ?, ?, ?, 'done', ?, NULL)`,
      );
      const insFirst = db.prepare(`INSERT INTO sla_first_responses (channel, conversation_id, message_id, received_at, deadline_at, responded_at, source)
        VALUES (?, ?, ?, ?, ?, ?, 'engine')`);
      const channels = ['webchat', 'webchat', 'whatsapp', 'whatsapp', 'x-alburaimigov', 'email'];
      const keys: string[] = [];
      let lines = 0;
      let inbound = 0;
      for (let c = 0; c < nConv; c++) {
        const channel = pick(channels);
        const cid = randomUUID();
        const key = `${channel}:${cid}`;
        keys.push(key);
        const start = now - YEAR_MS + Math.floor(rnd() * (YEAR_MS - 3_600_000));
        // 10 lines on average (5 exchanges), 2 to 18.
        const exchanges = 1 + Math.floor(rnd() * 9);
        let at = start;
        for (let e = 0; e < exchanges; e++) {
          const text = pick(INBOUND);
          const reply = pick(OUTBOUND);
          const messageId = randomUUID();
          insLine.run(key, 'in', 'resident', text, null, at);
          insInbox.run(channel, messageId, key, at, at, JSON.stringify([{ kind: 'answer', text: reply }]));
          insFirst.run(channel, cid, messageId, at, at + 60_000, at + 150);
          insLine.run(key, 'out', 'bot', reply, 'answer', at + 150);
          lines += 2;
          inbound++;
          at += 20_000 + Math.floor(rnd() * 120_000);
        }
        const r = rnd();
        const owner = r < 0.001 ? 'queue' : r < 0.003 ? 'agent' : 'bot';
        insConv.run(
          key,
          channel,
          cid,
          owner,
          owner === 'agent' ? pick(['amal', 'badr', 'salim']) : null,
          rnd() < 0.8 ? 'ar' : 'en',
          owner === 'queue' ? at : null,
          owner === 'agent' ? at : null,
          at,
        );
      }
      counts.conversations = nConv;
      counts.transcriptLines = lines;
      counts.inbox = inbound;

      const nReq = Math.round(200_000 * scale);
      const insReq = db.prepare(`INSERT INTO requests (id, reference, service_id, department, status, applicant_name, civil_id, phone, email, description,
        attachments, language, channel, conversation_key, filed_at, due_at, last_action_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 'مقدم الطلب', ?, ?, ?, 'وصف الطلب', '[]', ?, ?, ?, ?, ?, ?, ?)`);
      const insEvent = db.prepare('INSERT INTO request_events (request_id, at, actor, type, status, note) VALUES (?, ?, ?, ?, ?, NULL)');
      const insNote = db.prepare(`INSERT INTO outbox (source_key, channel, recipient_kind, recipient_id, conversation_id, reply, purpose, request_id, reference,
        send_window, state, attempts, next_attempt_at, created_at, sent_at) VALUES (?, 'notify-sms', 'applicant', ?, ?,
        '{"text":"نص الإشعار","language":"ar","kind":"notice"}', ?, ?, ?, 'any', 'sent', 1, ?, ?, ?)`);
      const services = config.services;
      let events = 0;
      let sent = 0;
      for (let i = 1; i <= nReq; i++) {
        const s = pick(services);
        // Filed evenly over the year; the last ~2 weeks' requests are still open.
        const filedAt = now - YEAR_MS + Math.floor((i / nReq) * (YEAR_MS - 86_400_000));
        const open = filedAt > now - 14 * 86_400_000;
        const status = open ? pick(['filed', 'in_progress', 'on_hold'] as const) : rnd() < 0.95 ? 'closed' : 'rejected';
        const ref = `BUR-2026-${String(i).padStart(6, '0')}`;
        const due = filedAt + 10 * 86_400_000;
        const last = open ? filedAt : filedAt + 5 * 86_400_000;
        insReq.run(
          i,
          ref,
          s.id,
          s.department,
          status,
          String(10_000_000 + i),
          `9${String(1_000_000 + i).slice(-7)}`,
          rnd() < 0.3 ? `r${i}@example.om` : null,
          'ar',
          'webchat',
          pick(keys),
          filedAt,
          due,
          last,
          last,
        );
        insEvent.run(i, filedAt, 'channel:webchat', 'status', 'filed');
        insNote.run(`notify:accepted:${i}:sms`, String(i), `applicant:${i}`, 'accepted', i, ref, filedAt, filedAt, filedAt + 1000);
        events++;
        sent++;
        if (status !== 'filed') {
          insEvent.run(i, filedAt + 86_400_000, 'agent:amal', 'status', open ? status : 'in_progress');
          events++;
          if (!open) {
            insEvent.run(i, last, 'agent:amal', 'status', status);
            insNote.run(`notify:status:${i}:sms`, String(i), `applicant:${i}`, 'status', i, ref, last, last, last + 1000);
            events++;
            sent++;
          }
        }
      }
      db.prepare(`INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`).run(
        `reference:${new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Muscat', year: 'numeric' }).format(new Date(now))}`,
        nReq,
      );
      counts.requests = nReq;
      counts.requestEvents = events;
      counts.sentNotifications = sent;
    }
    if (o.backlog) {
      const insNote =
        sql.db.prepare(`INSERT INTO outbox (source_key, channel, recipient_kind, recipient_id, conversation_id, reply, purpose, request_id, reference,
        send_window, state, attempts, next_attempt_at, created_at) VALUES (?, 'notify-sms', 'role', 'training-manager', 'role:training-manager',
        '{"text":"نص التصعيد","language":"ar","kind":"notice"}', 'escalation', NULL, ?, 'any', 'pending', 0, ?, ?)`);
      for (let i = 0; i < o.backlog; i++) {
        const at = now - 86_400_000 + Math.floor((i / o.backlog) * 86_300_000);
        insNote.run(`notify:backlog:${i}:sms`, `BUR-2026-B${i}`, at, at);
      }
      counts.pendingNotifications = o.backlog;
    }
  });
  sql.db.pragma('journal_mode = WAL');
  sql.db.pragma('synchronous = NORMAL');
  counts.insertMs = Math.round(performance.now() - t0);
  // The SLA engine's first start on this store adopts the open requests and sets its watermark.
  const sla = attachSla({
    config,
    sql,
    requests: new SqliteRequestStore(sql),
    calendar,
    clock: { now: () => new Date(now) },
    logger: silentLogger,
    env: {},
    agentTokens: new Map(),
  });
  await sla.stop();
  // A year of sweeps fired what came due on time: otherwise the first sweep in office hours would fire
  // thousands of escalations during the measurement.
  counts.firedTimers = sql.db.prepare('UPDATE sla_timers SET fired_at = fire_at WHERE fired_at IS NULL AND fire_at <= ?').run(now).changes;
  sql.close();
  counts.totalMs = Math.round(performance.now() - t0);
  return counts;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const args = process.argv.slice(2);
  const dir = args[0];
  if (!dir) {
    process.stderr.write('usage: tsx test/bench/generate-year.ts DIR [--scale 1] [--backlog N] [--empty]\n');
    process.exit(2);
  }
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const counts = await generateYear(dir, {
    scale: Number(flag('--scale') ?? 1),
    backlog: Number(flag('--backlog') ?? 0),
    empty: args.includes('--empty'),
  });
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}
