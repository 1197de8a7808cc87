import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../bot/delivery/outbox.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

const t0 = new Date('2026-11-22T05:00:00Z');
const reply = (text: string) => ({ text, language: 'ar' as const, kind: 'answer' as const });
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('Outbox', () => {
  let tmp: ReturnType<typeof tempDir>;
  let sql: SqliteDatabase;
  let outbox: Outbox;
  beforeEach(() => {
    tmp = tempDir();
    sql = migratedSqlite(join(tmp.dir, 'tawasul.sqlite'));
    outbox = new Outbox(sql);
  });
  afterEach(() => {
    sql.close();
    tmp.cleanup();
  });

  it('stores items as pending with their meta, deadline and reply', () => {
    const [item] = outbox.enqueue(
      [{ channel: 'wa', conversationId: 'c1', reply: reply('hi'), inReplyTo: 'm1', meta: { to: '968' }, receivedAt: t0, deadline: at(60_000) }],
      t0,
    );
    expect(item).toMatchObject({ channel: 'wa', conversationId: 'c1', inReplyTo: 'm1', meta: { to: '968' }, attempts: 0, state: 'pending' });
    expect(item!.reply).toEqual(reply('hi'));
    expect(item!.deadline).toEqual(at(60_000));
    expect(item!.nextAttemptAt).toEqual(t0);
    expect(outbox.get(item!.id)).toEqual(item);
  });

  it('orders due items by deadline (none last), then id, per channel', () => {
    const items = outbox.enqueue(
      [
        { channel: 'x', conversationId: 'a', reply: reply('no deadline') },
        { channel: 'x', conversationId: 'b', reply: reply('late'), deadline: at(30 * 60_000) },
        { channel: 'x', conversationId: 'c', reply: reply('early'), deadline: at(60_000) },
        { channel: 'other', conversationId: 'd', reply: reply('other channel'), deadline: at(0) },
      ],
      t0,
    );
    expect(outbox.due('x', t0, 10).map((i) => i.reply.text)).toEqual(['early', 'late', 'no deadline']);
    expect(outbox.due('x', t0, 1)).toHaveLength(1);
    outbox.markRetry(items[2]!.id, 'throttled', at(5_000));
    expect(outbox.due('x', t0, 10).map((i) => i.reply.text)).toEqual(['late', 'no deadline']);
    expect(outbox.due('x', at(5_000), 10).map((i) => i.reply.text)).toEqual(['early', 'late', 'no deadline']);
  });

  it('marks sent, retry and failed; counts attempts; keeps failed items', () => {
    const [a, b] = outbox.enqueue(
      [
        { channel: 'x', conversationId: 'a', reply: reply('a') },
        { channel: 'x', conversationId: 'b', reply: reply('b') },
      ],
      t0,
    );
    outbox.markRetry(a!.id, 'network', at(1000));
    outbox.markSent(a!.id, at(2000), 'wamid.1');
    expect(outbox.get(a!.id)).toMatchObject({ state: 'sent', attempts: 2, providerMessageId: 'wamid.1', sentAt: at(2000) });
    outbox.markFailed(b!.id, 'invalid recipient');
    expect(outbox.get(b!.id)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'invalid recipient' });
    expect(outbox.list('x', 'failed').map((i) => i.id)).toEqual([b!.id]);
    expect(outbox.list('x')).toHaveLength(2);
    expect(outbox.due('x', at(10_000), 10)).toHaveLength(0);
    // A sent item cannot go back to pending or failed.
    outbox.markFailed(a!.id, 'late error');
    expect(outbox.get(a!.id)!.state).toBe('sent');
  });

  it('enqueueFor is idempotent per inbound message and survives reopening the file', () => {
    const src = { channel: 'x', messageId: 'm1' };
    expect(outbox.inbox.accept('x', 'm1', '{}', { to: 'u' }, t0)).toBe(true);
    expect(outbox.inbox.accept('x', 'm1', '{}', { to: 'u' }, t0)).toBe(false);
    expect(outbox.inbox.unqueued('x', t0)).toHaveLength(1);
    const items = [
      { channel: 'x', conversationId: 'a', reply: reply('1') },
      { channel: 'x', conversationId: 'a', reply: reply('2') },
    ];
    expect(outbox.enqueueFor(src, items, t0)).toHaveLength(2);
    expect(outbox.enqueueFor(src, items, t0)).toHaveLength(0);
    expect(outbox.inbox.unqueued('x', t0)).toHaveLength(0);
    sql.close();
    sql = migratedSqlite(join(tmp.dir, 'tawasul.sqlite'));
    outbox = new Outbox(sql);
    expect(outbox.list('x', 'pending').map((i) => i.reply.text)).toEqual(['1', '2']);
  });
});
