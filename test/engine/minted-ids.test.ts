/**
 * Message ids the web chat mints itself: time-ordered (UUID version 7), and handled without looking
 * the inbound ledger up first (`fresh`), still answered exactly once: an id already in the ledger is
 * refused by the turn's claim, never answered twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../bot/core/ids.js';
import { stubClassifier } from '../channels/helpers/channel-context.js';
import { ChatClient, type Running, startTawasul, webchatMessage } from '../helpers/app.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids', () => {
  it('are UUID version 7 carrying the millisecond, distinct, and sort by time', () => {
    const at = Date.UTC(2026, 11, 2, 10, 0, 0);
    const ids = [timeOrderedId(at), timeOrderedId(at), timeOrderedId(at + 1), timeOrderedId(at + 60_000)];
    for (const id of ids) expect(id).toMatch(V7);
    expect(Number.parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBe(at);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort()).toEqual(ids.slice(0, 2).sort().concat(ids.slice(2)));
  });
});

describe('a turn on a minted id (no ledger look-up first)', () => {
  let run: Running | undefined;
  afterEach(async () => {
    await run?.cleanup();
    run = undefined;
  });
  const inbound = async (r: Running, cid: string): Promise<number> =>
    (await r.app.engine.deps.conversations.transcript(`webchat:${cid}`)).filter((l) => l.direction === 'in').length;

  it('is answered once; the same id again, minted or not, is a duplicate with the first replies', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const r = run;
    const id = timeOrderedId();
    const first = await r.app.engine.handle(webchatMessage(r, 'c1', id, 'السلام عليكم'), { fresh: true });
    expect(first.duplicate).toBe(false);
    expect(first.replies.length).toBeGreaterThan(0);
    const again = await r.app.engine.handle(webchatMessage(r, 'c1', id, 'السلام عليكم'));
    expect(again).toMatchObject({ duplicate: true, previous: first.replies });
    // Claimed by the turn's own claim, not by a look-up before it.
    const minted = await r.app.engine.handle(webchatMessage(r, 'c1', id, 'السلام عليكم'), { fresh: true });
    expect(minted.duplicate).toBe(true);
    expect(minted.previous).toEqual(first.replies);
    expect(await inbound(r, 'c1')).toBe(1);
  });

  it('concurrent turns on minted ids of one conversation are each answered once, in order', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const r = run;
    const results = await Promise.all(Array.from({ length: 8 }, () => r.app.engine.handle(webchatMessage(r, 'c2', timeOrderedId(), 'شكرا'), { fresh: true })));
    expect(results.every((x) => !x.duplicate && x.replies.length > 0)).toBe(true);
    expect(await inbound(r, 'c2')).toBe(8);
  });

  it('the web chat records a message without a client id under a time-ordered id', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const r = run;
    const chat = await ChatClient.open(r.base);
    const first = await chat.post({ text: 'السلام عليكم' });
    r.clock.advance(1);
    await chat.post({ text: 'شكرا' });
    expect(first.duplicate).toBe(false);
    const ids = r.app.sql.db.prepare(`SELECT message_id FROM inbox WHERE channel = 'webchat' ORDER BY rowid`).pluck().all() as string[];
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(V7);
    expect(ids[0]! < ids[1]!).toBe(true);
    expect(Number.parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBe(r.clock.now().getTime() - 1);
  });
});
