import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import { silentLogger } from '../../bot/core/logger.js';
import { Outbox } from '../../bot/delivery/outbox.js';
import { backoffMs, OutboxWorker, type OutboxWorkerOptions } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { Conditions } from '../helpers/conditions.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

const reply = (text: string) => ({ text, language: 'en' as const, kind: 'answer' as const });

describe('OutboxWorker', () => {
  let tmp: ReturnType<typeof tempDir>;
  let sql: SqliteDatabase;
  let outbox: Outbox;
  let clock: ManualClock;
  let sent: Array<{ text: string; to: string; at: number }>;
  let failures: unknown[];
  let workers: OutboxWorker[];
  /** Notified at each send the transport accepts. */
  let sends: Conditions;

  const transport = async (item: OutboxItem) => {
    const f = failures.shift();
    if (f) throw f;
    sent.push({ text: item.reply.text, to: item.conversationId, at: performance.now() });
    sends.notify();
    return { providerMessageId: `p${sent.length}` };
  };
  const worker = (extra: Partial<OutboxWorkerOptions> = {}) => {
    const w = new OutboxWorker({
      outbox,
      channel: 'x',
      transport,
      limits: {},
      clock,
      logger: silentLogger,
      retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 4 },
      ...extra,
    });
    workers.push(w);
    return w;
  };
  const put = (text: string, to = text, deadlineMin?: number) =>
    outbox.enqueue(
      [
        {
          channel: 'x',
          conversationId: to,
          reply: reply(text),
          ...(deadlineMin !== undefined ? { deadline: new Date(clock.now().getTime() + deadlineMin * 60_000) } : {}),
        },
      ],
      clock.now(),
    )[0]!;

  beforeEach(() => {
    tmp = tempDir();
    sql = migratedSqlite(join(tmp.dir, 'tawasul.sqlite'));
    outbox = new Outbox(sql);
    clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    sent = [];
    sends = new Conditions();
    failures = [];
    workers = [];
  });
  afterEach(async () => {
    for (const w of workers) await w.stop();
    sql.close();
    tmp.cleanup();
  });

  it('sends due items, earliest deadline first, and calls onSent', async () => {
    const onSent: Array<[number, Date]> = [];
    const w = worker({ onSent: (item, at) => onSent.push([item.id, at]) });
    put('no deadline');
    put('30 min', 'b', 30);
    const first = put('1 min', 'c', 1);
    expect(await w.runOnce()).toBe(3);
    expect(sent.map((s) => s.text)).toEqual(['1 min', '30 min', 'no deadline']);
    expect(outbox.get(first.id)).toMatchObject({ state: 'sent', providerMessageId: 'p1', attempts: 1 });
    expect(onSent).toHaveLength(3);
    expect(await w.runOnce()).toBe(0);
  });

  it('backs off on throttling (respecting Retry-After) and network errors, then sends once', async () => {
    const w = worker();
    const item = put('hello');
    failures.push(new ChannelApiError('throttled', 'x', 429, 88, true, 30), new NetworkError('reset', 'x'));
    await w.runOnce();
    expect(outbox.get(item.id)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(outbox.get(item.id)!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(30_000);
    expect(await w.runOnce()).toBe(0);
    clock.advance(30_000);
    await w.runOnce();
    expect(outbox.get(item.id)!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(2000);
    clock.advance(2000);
    await w.runOnce();
    expect(outbox.get(item.id)!.state).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(backoffMs({ baseMs: 1000, maxMs: 5000, maxAttempts: 9 }, 5)).toBe(5000);
  });

  it('records permanent errors and exhausted retries as failed', async () => {
    const w = worker();
    const a = put('a');
    failures.push(new ChannelApiError('bad recipient', 'x', 400, 100, false));
    await w.runOnce();
    expect(outbox.get(a.id)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(outbox.get(a.id)!.lastError).toContain('code=100');
    const b = put('b');
    for (let i = 0; i < 4; i++) failures.push(new NetworkError('down', 'x'));
    for (let i = 0; i < 6; i++) {
      await w.runOnce();
      clock.advance(60_000);
    }
    expect(outbox.get(b.id)).toMatchObject({ state: 'failed', attempts: 4 });
    expect(sent).toHaveLength(0);
  });

  it('pauses the whole queue while the provider refuses the credentials, fails nothing, and sends all once they work', async () => {
    const lines: string[] = [];
    const w = worker({ logger: pino({ level: 'info' }, { write: (l: string) => lines.push(l) }) });
    const items = [put('a'), put('b'), put('c')];
    const refused = () => new ChannelApiError('Graph API 401 (#190): token expired', 'x', 401, 190, true, undefined, { credential: true });
    // Ten refusals in a row: more than maxAttempts (4), which would fail an item for any other error.
    for (let i = 0; i < 10; i++) failures.push(refused());
    let attempted = 0;
    for (let i = 0; i < 10; i++) {
      attempted += await w.runOnce(); // one probe; the others wait for the pause
      expect(await w.runOnce()).toBe(0);
      clock.advance(60_000);
    }
    expect(attempted).toBe(10);
    expect(items.map((i) => outbox.get(i.id)!.state)).toEqual(['pending', 'pending', 'pending']);
    const paused = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.includes('refused the credentials'));
    expect(paused).toHaveLength(10);
    expect(paused.every((l) => l.level === 50)).toBe(true); // error: an operator must act
    expect(failures).toHaveLength(0);
    await w.drain();
    expect(sent.map((s) => s.text).sort()).toEqual(['a', 'b', 'c']);
    expect(items.map((i) => outbox.get(i.id)!.state)).toEqual(['sent', 'sent', 'sent']);
    expect(lines.some((l) => l.includes('credentials accepted again'))).toBe(true);
  });

  it('holds a recipient for perRecipientMinTimeMs on the injected clock', async () => {
    const w = worker({ limits: { perRecipientMinTimeMs: 6000 } });
    put('one', 'u1');
    put('two', 'u1');
    put('other', 'u2');
    await w.drain();
    expect(sent.map((s) => s.text)).toEqual(['one', 'other']);
    clock.advance(5999);
    await w.drain();
    expect(sent).toHaveLength(2);
    clock.advance(1);
    await w.drain();
    expect(sent.map((s) => s.text)).toEqual(['one', 'other', 'two']);
  });

  it('spaces sends by minTimeMs and stops at the reservoir', async () => {
    const w = worker({ limits: { minTimeMs: 20 } });
    for (let i = 0; i < 4; i++) put(`m${i}`);
    await w.drain();
    expect(sent).toHaveLength(4);
    // The spacing itself is bottleneck's (timings are not asserted): the limiter carries the minimum gap.
    expect((w.bottleneck as unknown as { _store: { storeOptions: { minTime: number } } })._store.storeOptions.minTime).toBe(20);
    for (let i = 1; i < 4; i++) expect(sent[i]!.at).toBeGreaterThanOrEqual(sent[i - 1]!.at);
    const r = worker({ limits: { reservoir: { amount: 2, refreshMs: 60_000 } } });
    for (let i = 0; i < 4; i++) put(`r${i}`);
    sent = [];
    r.kick();
    // Concurrent passes never queue jobs beyond the window (they would wait for the next one).
    await Promise.all([r.runOnce(), r.runOnce(), r.drain()]);
    expect(sent).toHaveLength(2);
    expect(await r.bottleneck.currentReservoir()).toBe(0);
  });

  it('pauses until the provider says, and the loop sends on kick', async () => {
    const w = worker({ pollMs: 10 });
    w.pauseUntil(new Date(clock.now().getTime() + 60_000));
    put('held');
    expect(await w.runOnce()).toBe(0);
    clock.advance(60_000);
    w.start();
    w.kick();
    await sends.until(() => sent.length > 0, 'the loop to send');
    expect(sent.map((s) => s.text)).toEqual(['held']);
    await w.stop();
    put('after stop');
    expect(await w.runOnce()).toBe(0);
    w.start();
    await sends.until(() => sent.length === 2, 'the restarted loop to send');
    expect(sent.map((s) => s.text)).toEqual(['held', 'after stop']);
  });
});
