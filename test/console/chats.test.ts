import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConsoleStore } from '../../bot/store/sqlite/console-store.js';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';
import { addAccount, ConsoleClient, SseReader } from './helpers.js';

describe('console inbox API', () => {
  let run: Running;
  let amal: ConsoleClient;
  let badr: ConsoleClient;
  beforeAll(async () => {
    run = await startTawasul();
    await addAccount(run, 'amal', 'agent');
    await addAccount(run, 'badr', 'agent');
    await addAccount(run, 'dana', 'department', ['training']);
  });
  // Tests move the clock by hours: sign in afresh each time.
  beforeEach(async () => {
    amal = await new ConsoleClient(run.base).signIn('amal');
    badr = await new ConsoleClient(run.base).signIn('badr');
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  const queued = async (): Promise<{ chat: ChatClient; id: number }> => {
    const chat = await ChatClient.open(run.base);
    await chat.say('أبي أكلم موظف');
    const list = (await amal.get('/api/console/conversations?view=waiting')).body.conversations as Array<{ id: number; label: string }>;
    const id = list.at(-1)!.id;
    return { chat, id };
  };

  it('lists waiting chats oldest first with channel, language, wait and first-response target, no raw id', async () => {
    const a = await queued();
    run.clock.advance(60_000);
    const b = await queued();
    const list = (await amal.get('/api/console/conversations')).body.conversations as Array<Record<string, unknown>>;
    const ids = list.map((c) => c.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    const row = list.find((c) => c.id === a.id)!;
    expect(row).toMatchObject({ channel: 'webchat', language: 'ar', owner: 'queue' });
    expect(typeof row.queuedAt).toBe('string');
    expect(typeof row.firstResponseDueAt).toBe('string');
    expect(JSON.stringify(row)).not.toContain(a.chat.conversationId);
  });

  it('two agents taking the same chat at once: one wins, the other is told who holds it', async () => {
    const { id } = await queued();
    const [x, y] = await Promise.all([amal.post(`/api/console/conversations/${id}/take`), badr.post(`/api/console/conversations/${id}/take`)]);
    const statuses = [x.status, y.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = x.status === 409 ? x : y;
    const winner = x.status === 200 ? 'amal' : 'badr';
    expect(loser.body.error.reason).toBe('held_by_other');
    expect(loser.body.error.message).toContain(winner);
    const other = winner === 'amal' ? badr : amal;
    const say = await other.post(`/api/console/conversations/${id}/messages`, { text: 'مرحبا' });
    expect(say.status).toBe(409);
    expect((await other.post(`/api/console/conversations/${id}/release`)).status).toBe(409);
  });

  it('writing into a bot-held chat takes it over: the bot stays silent afterwards', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('السلام عليكم');
    const convId = await new SqliteConsoleStore(run.app.sql).idOf(chat.key);
    const r = await amal.post(`/api/console/conversations/${convId}/messages`, { text: 'معك أمل من مركز الاتصال' });
    expect(r.status).toBe(201);
    expect(r.body.conversation).toMatchObject({ owner: 'agent', agentId: 'amal' });
    expect(await chat.say('ما هي ساعات الدوام؟')).toBe('');
    const detail = (await amal.get(`/api/console/conversations/${convId}`)).body;
    expect(detail.messages.map((m: { author: string }) => m.author)).toContain('agent:amal');
    expect(detail.messages.at(-1)).toMatchObject({ direction: 'in', text: 'ما هي ساعات الدوام؟' });
  });

  it('replying to a chat the resident left gets a clear 410, nothing is sent', async () => {
    const { chat, id } = await queued();
    expect((await amal.post(`/api/console/conversations/${id}/take`)).status).toBe(200);
    run.clock.advance(25 * 3_600_000);
    amal = await new ConsoleClient(run.base).signIn('amal');
    const r = await amal.post(`/api/console/conversations/${id}/messages`, { text: 'هل ما زلت هنا؟' });
    expect(r.status).toBe(410);
    expect(r.body.error.reason).toBe('resident_left');
    const texts = (await run.app.engine.deps.conversations.transcript(chat.key)).map((e) => e.text);
    expect(texts).not.toContain('هل ما زلت هنا؟');
  });

  it('private notes stay out of the resident transcript; hand back resumes the bot', async () => {
    const { chat, id } = await queued();
    await amal.post(`/api/console/conversations/${id}/take`);
    expect((await amal.post(`/api/console/conversations/${id}/notes`, { text: 'يتصل كثيراً بخصوص الحفرة' })).status).toBe(201);
    const page = (await (await fetch(`${run.base}/api/webchat/conversations/${chat.conversationId}/messages`, { headers: chat.auth })).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(page.messages.map((m) => m.text)).not.toContain('يتصل كثيراً بخصوص الحفرة');
    expect((await amal.get(`/api/console/conversations/${id}`)).body.notes[0].text).toBe('يتصل كثيراً بخصوص الحفرة');
    expect((await amal.post(`/api/console/conversations/${id}/release`)).status).toBe(200);
    expect(await chat.say('السلام عليكم')).toContain('وعليكم السلام');
  });

  it('names the field of a bad body or query, and bounds the answer', async () => {
    const { id } = await queued();
    const empty = await amal.post(`/api/console/conversations/${id}/messages`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('text');
    const long = await amal.post(`/api/console/conversations/${id}/messages`, { text: 'x'.repeat(4001) });
    expect(long.body.error.field).toBe('text');
    const view = await amal.get('/api/console/conversations?view=everything');
    expect(view.status).toBe(400);
    expect(view.body.error.field).toBe('view');
    expect((await amal.get('/api/console/conversations/999999')).status).toBe(404);
    expect((await amal.get('/api/console/conversations/abc')).status).toBe(404);
    const malformed = await fetch(`${run.base}/api/console/conversations/${id}/notes`, {
      method: 'POST',
      headers: { cookie: amal.cookie, 'x-csrf-token': amal.csrf, 'content-type': 'application/json' },
      body: '{"text":',
    });
    expect(malformed.status).toBe(400);
  });

  it('department heads cannot open the inbox; canned replies carry the approved Tajawob reply verbatim', async () => {
    const dana = await new ConsoleClient(run.base).signIn('dana');
    expect((await dana.get('/api/console/conversations')).status).toBe(403);
    const { readFileSync } = await import('node:fs');
    const canned = (await amal.get('/api/console/canned-replies')).body.replies as Array<{ id: string; text: { ar: string } }>;
    expect(canned.find((c) => c.id === 'tajawob')!.text.ar).toBe(readFileSync('templates/tajawob-reply.ar.txt', 'utf8').trimEnd());
  });

  it('live: new chats and messages arrive on the stream; a reconnect catches up by Last-Event-ID, across a restart, nothing twice', async () => {
    const sse = await SseReader.open(run.base, amal);
    expect(run.app.console.hub.streams).toBe(1);
    const chat = await ChatClient.open(run.base);
    await chat.say('أبي أكلم موظف');
    const first = await sse.next((e) => e.event === 'conversation' && e.data.owner === 'queue');
    const id = first.data.id as number;
    await chat.say('ممكن أحد يرد؟');
    const second = await sse.next((e) => e.event === 'conversation' && e.data.id === id && e.data.lastSeq > first.data.lastSeq);
    sse.close();
    for (let i = 0; i < 1000 && run.app.console.hub.streams > 0; i++) await new Promise((r) => setImmediate(r)); // the hub lets go of a closed stream
    expect(run.app.console.hub.streams).toBe(0);
    // While disconnected: the resident writes again; then the server restarts.
    await chat.say('أنا بانتظاركم');
    run = await run.restart();
    amal = Object.assign(new ConsoleClient(run.base), { cookie: amal.cookie, csrf: amal.csrf }); // the session survives the restart
    const again = await SseReader.open(run.base, amal, second.id);
    const missed = again.events.filter((e) => e.event === 'conversation');
    expect(missed.length).toBeGreaterThanOrEqual(1);
    expect(missed.every((e) => Number(e.id) > Number(second.id))).toBe(true);
    const ids = again.events.filter((e) => e.id && e.event !== 'ready').map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    again.close();
  });
});
