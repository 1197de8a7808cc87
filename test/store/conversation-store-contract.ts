/**
 * The contract every conversation store (conversations, transcripts, audit trail) and turn state
 * store passes (SQLite: conversation-store.test.ts; PostgreSQL: postgres-turn-stores.test.ts).
 * Every call is awaited, so an implementation answering with promises runs the same suite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationState, TurnStateStore } from '../../bot/engine/state.js';
import type { ConversationStore } from '../../bot/store/conversation-store.js';

/** Fresh stores on one database, a way to reopen them on the same data, and cleanup. */
export interface ConversationStoreHarness {
  conversations: ConversationStore;
  state: TurnStateStore;
  reopen(): Promise<{ conversations: ConversationStore; state: TurnStateStore }>;
  close(): Promise<void>;
}

const t0 = new Date('2026-11-24T06:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

/** Registers the contract tests for one implementation. */
export function conversationStoreContract(name: string, make: () => Promise<ConversationStoreHarness>): void {
  describe(`conversation and state store contract: ${name}`, () => {
    let h: ConversationStoreHarness;
    let s: ConversationStore;
    beforeEach(async () => {
      h = await make();
      s = h.conversations;
    });
    afterEach(async () => {
      await h.close();
    });

    it('creates a conversation bot-held on first sight, keeps its language unless given, and its latest message time', async () => {
      await s.touch('webchat:1', 'webchat', '1', undefined, t0);
      expect(await s.get('webchat:1')).toEqual({ key: 'webchat:1', channel: 'webchat', conversationId: '1', owner: 'bot', language: 'ar', lastMessageAt: t0 });
      await s.touch('webchat:1', 'webchat', '1', 'en', at(-1000));
      expect(await s.get('webchat:1')).toMatchObject({ language: 'en', lastMessageAt: t0 });
      await s.noteMessage('webchat:1', undefined, at(5000));
      expect(await s.get('webchat:1')).toMatchObject({ language: 'en', lastMessageAt: at(5000) });
      await s.noteMessage('webchat:1', 'ar', at(1000));
      expect(await s.get('webchat:1')).toMatchObject({ language: 'ar', lastMessageAt: at(5000) });
      await s.setLanguage('webchat:1', 'en');
      expect((await s.get('webchat:1'))?.language).toBe('en');
      expect(await s.get('webchat:none')).toBeUndefined();
    });

    it('queues, lets exactly one agent take over, and hands back only by the holder', async () => {
      await s.touch('webchat:1', 'webchat', '1', 'ar', t0);
      await s.touch('webchat:2', 'webchat', '2', 'ar', t0);
      expect(await s.enqueue('webchat:2', at(2))).toMatchObject({ owner: 'queue', queuedAt: at(2) });
      expect(await s.enqueue('webchat:1', at(1))).toMatchObject({ owner: 'queue', queuedAt: at(1) });
      expect((await s.waiting()).map((c) => c.key)).toEqual(['webchat:1', 'webchat:2']);
      expect(await s.waiting(1)).toHaveLength(1);
      expect(await s.dequeue('webchat:2')).toBe(true);
      expect(await s.dequeue('webchat:2')).toBe(false);
      const [first, second] = await Promise.all([s.take('webchat:1', 'amal', at(3)), s.take('webchat:1', 'badr', at(3))]);
      expect([first?.agentId, second?.agentId]).toEqual(['amal', undefined]);
      expect(await s.take('webchat:1', 'amal', at(4))).toMatchObject({ owner: 'agent', agentId: 'amal', takenAt: at(4) });
      expect(await s.waiting()).toEqual([]);
      expect((await s.held('amal')).map((c) => c.key)).toEqual(['webchat:1']);
      expect(await s.held('badr')).toEqual([]);
      expect(await s.held()).toHaveLength(1);
      // Queued while an agent holds it: nothing changes.
      expect((await s.enqueue('webchat:1', at(5))).owner).toBe('agent');
      expect(await s.release('webchat:1', 'badr')).toBeUndefined();
      const back = await s.release('webchat:1', 'amal');
      expect(back).toMatchObject({ owner: 'bot' });
      expect(back?.agentId).toBeUndefined();
      expect(back?.queuedAt).toBeUndefined();
      await expect(Promise.resolve().then(() => s.enqueue('webchat:none', t0))).rejects.toThrow('unknown conversation');
    });

    it('keeps transcripts in order per conversation, read after a sequence number', async () => {
      const a = await s.append({ key: 'k', direction: 'in', author: 'resident', text: 'مرحبا', at: t0 });
      await s.append({ key: 'other', direction: 'in', author: 'resident', text: 'x', at: t0 });
      const b = await s.append({ key: 'k', direction: 'out', author: 'bot', text: 'أهلاً', kind: 'greeting', at: at(1) });
      expect(b).toBeGreaterThan(a);
      expect(await s.transcript('k')).toEqual([
        { seq: a, key: 'k', direction: 'in', author: 'resident', text: 'مرحبا', at: t0 },
        { seq: b, key: 'k', direction: 'out', author: 'bot', text: 'أهلاً', kind: 'greeting', at: at(1) },
      ]);
      expect((await s.transcript('k', a)).map((e) => e.seq)).toEqual([b]);
      expect(await s.transcript('k', 0, 1)).toHaveLength(1);
    });

    it('appends several lines in one write, in order, numbered after the lines before them', async () => {
      const first = await s.append({ key: 'k', direction: 'in', author: 'resident', text: 'أولاً', at: t0 });
      const lines = Array.from({ length: 11 }, (_, i) => ({
        key: i % 4 === 3 ? 'other' : 'k',
        direction: 'out' as const,
        author: 'bot',
        text: `رد ${i}`,
        ...(i % 2 ? { kind: 'answer' as const } : {}),
        at: at(i),
      }));
      await s.appendAll(lines);
      await s.appendAll([]);
      const k = await s.transcript('k');
      expect(k.map((e) => e.text)).toEqual(['أولاً', ...lines.filter((l) => l.key === 'k').map((l) => l.text)]);
      expect(k.slice(1).map(({ seq: _, ...e }) => e)).toEqual(lines.filter((l) => l.key === 'k'));
      const all = [...k, ...(await s.transcript('other'))].map((e) => e.seq).sort((a, b) => a - b);
      expect(all[0]).toBe(first);
      expect(new Set(all).size).toBe(12);
      // Numbered in the order given, across the two conversations.
      const bySeq = [...k, ...(await s.transcript('other'))].sort((a, b) => a.seq - b.seq).map((e) => e.text);
      expect(bySeq).toEqual(['أولاً', ...lines.map((l) => l.text)]);
    });

    it('keeps an audit trail, newest first', async () => {
      await s.audit('agent:amal', 'request.read', 'BUR-2026-0001', t0);
      await s.audit('console:admin', 'signin', 'console', at(1));
      expect(await s.auditTrail()).toEqual([
        { at: at(1), actor: 'console:admin', action: 'signin', subject: 'console' },
        { at: t0, actor: 'agent:amal', action: 'request.read', subject: 'BUR-2026-0001' },
      ]);
      expect(await s.auditTrail(1)).toHaveLength(1);
    });

    it('keeps the conversation state until it expires, and replaces it on save', async () => {
      const state: ConversationState = {
        language: 'en',
        dialogue: { serviceId: 'potholes', values: { name: 'سالم' }, attachments: [], awaiting: 'phone', startedAt: 1 },
        updatedAt: 5,
      };
      expect(await h.state.load('k', t0)).toBeUndefined();
      await h.state.save('k', state, at(60_000));
      expect(await h.state.load('k', t0)).toEqual(state);
      expect(await h.state.load('k', at(60_000))).toBeUndefined();
      await h.state.save('k', { updatedAt: 6 }, at(120_000));
      expect(await h.state.load('k', at(60_000))).toEqual({ updatedAt: 6 });
    });

    it('gives a turn its conversation and state in one read, each as `get` and `load` give them', async () => {
      expect(await h.state.loadTurn('webchat:t', t0)).toEqual({ conversation: undefined, state: undefined });
      await s.touch('webchat:t', 'webchat', 't', 'en', t0);
      await s.take('webchat:t', 'amal', at(5));
      const held = await s.get('webchat:t');
      expect(held?.owner).toBe('agent');
      expect(await h.state.loadTurn('webchat:t', t0)).toEqual({ conversation: held, state: undefined });
      const state: ConversationState = { language: 'en', status: { failures: 1, windowStart: 2 }, updatedAt: 3 };
      await h.state.save('webchat:t', state, at(60_000));
      expect(await h.state.loadTurn('webchat:t', t0)).toEqual({ conversation: held, state });
      // An expired state is no state; a state whose conversation is missing is still found.
      expect(await h.state.loadTurn('webchat:t', at(60_000))).toEqual({ conversation: held, state: undefined });
      await h.state.save('webchat:orphan', state, at(60_000));
      expect(await h.state.loadTurn('webchat:orphan', t0)).toEqual({ conversation: undefined, state });
      // Another conversation's rows never come with it.
      expect(await h.state.loadTurn('webchat:other', t0)).toEqual({ conversation: undefined, state: undefined });
    });

    it('keeps everything across a reopen', async () => {
      await s.touch('x:1', 'x', '1', 'en', t0);
      await s.append({ key: 'x:1', direction: 'in', author: 'resident', text: 'hi', at: t0 });
      await h.state.save('x:1', { language: 'en', updatedAt: 1 }, at(1000));
      const again = await h.reopen();
      expect((await again.conversations.get('x:1'))?.language).toBe('en');
      expect((await again.conversations.transcript('x:1')).map((e) => e.text)).toEqual(['hi']);
      expect(await again.state.load('x:1', t0)).toEqual({ language: 'en', updatedAt: 1 });
    });
  });
}
