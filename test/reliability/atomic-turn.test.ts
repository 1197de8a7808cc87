/**
 * The atomic turn in process: the state commits with the end of the turn or not at all, a replayed
 * confirmation finds the request it filed, a claim a crash left `processing` is finished by the
 * client's retry or at start-up, a second delivery in flight waits for the first, and an in-doubt
 * provider send is confirmed or resent once and counted.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/core/logger.js';
import type { InboundMessage, OutboundReply } from '../../bot/core/types.js';
import { registerDeliveryMetrics } from '../../bot/delivery/metrics.js';
import { Outbox } from '../../bot/delivery/outbox.js';
import { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import { SqlStateStore } from '../../bot/engine/state.js';
import { SqliteTransactions } from '../../bot/engine/turn-tx.js';
import { stubClassifier } from '../channels/helpers/channel-context.js';
import { ChatClient, type Running, startTawasul, webchatMessage } from '../helpers/app.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { ANSWERS, asked } from './scenarios.js';

/** SQLite transactions whose n-th one fails on demand (the turn's commit never happens). */
class FailingCommit extends SqliteTransactions {
  /** Fails the n-th transaction from now (1: the next). */
  failIn = 0;
  protected override begin(): void {
    if (this.failIn > 0 && --this.failIn === 0) throw new Error('disk full');
    super.begin();
  }
}

describe('atomic turn', () => {
  let run: Running | undefined;
  afterEach(async () => {
    await run?.cleanup();
    run = undefined;
  });

  const message = (r: Running, id: string, text: string, cid = 'c1'): InboundMessage => webchatMessage(r, cid, id, text);
  const texts = (replies: OutboundReply[]): string => replies.map((x) => x.text).join('\n');

  /** Drives conversation `cid` to the summary of a request through the engine. */
  async function toSummary(r: Running, cid: string): Promise<void> {
    await r.app.engine.handle(message(r, `${cid}-hello`, 'السلام عليكم', cid));
    await r.app.engine.handle(message(r, `${cid}-menu`, '2', cid));
    let replies = (await r.app.engine.handle(message(r, `${cid}-service`, '1', cid))).replies;
    for (let i = 0; asked(replies) !== 'confirm'; i++) {
      expect(i).toBeLessThan(12);
      replies = (await r.app.engine.handle(message(r, `${cid}-f${i}`, ANSWERS[asked(replies)!]!, cid))).replies;
    }
  }

  it('a confirmation whose turn did not commit files once: its retry finds the request and answers with the reference', async () => {
    let state!: FailingCommit;
    run = await startTawasul({ classifier: stubClassifier, transactions: (sql, views) => (state = new FailingCommit(sql, views)) });
    await toSummary(run, 'c1');
    state.failIn = 2; // the claim commits, the end of the turn does not
    await expect(run.app.engine.handle(message(run, 'confirm', 'نعم'))).rejects.toThrow('disk full');
    // Filed (its own commit) but the turn did not end: the dialogue state still awaits the confirmation.
    expect(await run.app.engine.deps.requests.count()).toBe(1);
    const again = await run.app.engine.handle(message(run, 'confirm', 'نعم'));
    expect(again.duplicate).toBe(false);
    const [rec] = await run.app.engine.deps.requests.list();
    expect(texts(again.replies)).toContain(rec!.reference);
    expect(await run.app.engine.deps.requests.count()).toBe(1);
    expect(rec!.history.filter((h) => h.status === 'filed')).toHaveLength(1);
    // The state committed this time: the next message is not a second confirmation.
    expect(texts((await run.app.engine.handle(message(run, 'after', 'نعم'))).replies)).not.toContain(rec!.reference);
    expect(await run.app.engine.deps.requests.count()).toBe(1);
  });

  it('a retried POST of a message a crash left processing gets the real replies, once', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const chat = await ChatClient.open(run.base);
    const cid = chat.conversationId;
    // What a crash leaves: the claim, the message for replay, no replies, no turn in flight.
    const msg = message(run, `${cid}:m1`, 'السلام عليكم', cid);
    run.app.sql.db
      .prepare(`INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, raw) VALUES ('webchat', ?, ?, ?, ?, 'processing', ?)`)
      .run(msg.id, `webchat:${cid}`, msg.receivedAt.getTime(), msg.receivedAt.getTime(), JSON.stringify(msg));
    const post = async (): Promise<{ duplicate: boolean; replies: OutboundReply[] }> =>
      (
        await fetch(`${run!.base}/api/webchat/conversations/${cid}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...chat.auth },
          body: JSON.stringify({ text: 'السلام عليكم', clientMessageId: 'm1' }),
        })
      ).json() as Promise<{ duplicate: boolean; replies: OutboundReply[] }>;
    const [a, b] = await Promise.all([post(), post()]);
    const answers = [a, b].map((r) => texts(r.replies));
    expect(answers[0]).toContain('وعليكم السلام');
    expect(answers[1]).toBe(answers[0]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    const lines = (await run.app.engine.deps.conversations.transcript(`webchat:${cid}`)).filter((l) => l.direction === 'in');
    expect(lines).toHaveLength(1);
  });

  it('replays at start-up the turns a crash cut off, before taking traffic', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const msg = message(run, 'cut-1', 'السلام عليكم', 'c9');
    run.app.engine.deps.conversations.touch('webchat:c9', 'webchat', 'c9', 'ar', msg.receivedAt);
    run.app.sql.db
      .prepare(
        `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, raw) VALUES ('webchat', ?, 'webchat:c9', ?, ?, 'processing', ?)`,
      )
      .run(msg.id, msg.receivedAt.getTime(), msg.receivedAt.getTime(), JSON.stringify(msg));
    run = await run.restart();
    const out = (await run.app.engine.deps.conversations.transcript('webchat:c9')).filter((l) => l.direction === 'out');
    expect(out.map((l) => l.text).join('\n')).toContain('وعليكم السلام');
    const retry = await run.app.engine.handle(msg);
    expect(retry).toMatchObject({ duplicate: true });
    expect(texts(retry.previous ?? [])).toContain('وعليكم السلام');
  });

  it('carries the states of the former keyv file over once', async () => {
    const t = tempDir();
    const store = new KeyvSqlite({ uri: `sqlite://${join(t.dir, 'state.sqlite')}` });
    const keyv = new Keyv({ store, namespace: 'conversation' });
    await keyv.set('webchat:old', { language: 'en', updatedAt: 1 }, 3_600_000);
    await keyv.disconnect();
    run = await startTawasul({ classifier: stubClassifier, dataDir: t.dir });
    expect(new SqlStateStore(run.app.sql).load('webchat:old', new Date())).toEqual({ language: 'en', updatedAt: 1 });
    expect(existsSync(join(t.dir, 'state.sqlite'))).toBe(false);
    expect(existsSync(join(t.dir, 'state.sqlite.imported'))).toBe(true);
    await run.cleanup();
    run = undefined;
    t.cleanup();
  });

  it('a delivery arriving while the first is in flight waits for it and gets its replies', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const msg = message(run, 'twice', 'hello');
    const [first, second] = await Promise.all([run.app.engine.handle(msg), run.app.engine.handle(msg)]);
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: true, replies: [] });
    expect(second.previous).toEqual(first.replies);
  });
});

describe('provider sends at a crash', () => {
  const tmp = tempDir();

  const reply: OutboundReply = { text: 'hi', language: 'en', kind: 'answer' };

  it('an in-doubt send is confirmed through the provider, or goes out once more; both are counted', async () => {
    const sql = migratedSqlite(`${tmp.dir}/doubt.sqlite`);
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    const outbox = new Outbox(sql);
    const [a, b] = outbox.enqueue(
      [
        { channel: 'wa', conversationId: 'u1', reply },
        { channel: 'wa', conversationId: 'u2', reply },
      ],
      clock.now(),
    );
    // The process died during both provider calls.
    outbox.markAttempt(a!.id, clock.now());
    outbox.markAttempt(b!.id, clock.now());
    const sent: OutboxItem[] = [];
    const worker = new OutboxWorker({
      outbox,
      channel: 'wa',
      clock,
      logger: silentLogger,
      limits: { maxConcurrent: 1 },
      transport: async (item) => {
        sent.push(item);
        return { providerMessageId: `wamid.${item.id}` };
      },
      // The provider knows the first (looked up by the id chosen before sending), not the second.
      confirm: async (item) => (item.id === a!.id ? { providerMessageId: 'wamid.known' } : undefined),
      onSent: () => undefined,
    });
    await worker.drain();
    expect(sent.map((s) => s.id)).toEqual([b!.id]);
    expect(outbox.get(a!.id)).toMatchObject({ state: 'sent', providerMessageId: 'wamid.known' });
    expect(outbox.get(b!.id)).toMatchObject({ state: 'sent', providerMessageId: `wamid.${b!.id}` });
    expect(outbox.inDoubt('wa')).toEqual([]);
    const registry = new Registry();
    registerDeliveryMetrics(registry, sql);
    const text = await registry.metrics();
    expect(text).toContain('tawasul_outbox_in_doubt_sends_total{channel="wa",outcome="resent"} 1');
    expect(text).toContain('tawasul_outbox_in_doubt_sends_total{channel="wa",outcome="confirmed"} 1');
    await worker.stop();
    sql.close();
    tmp.cleanup();
  });
});
