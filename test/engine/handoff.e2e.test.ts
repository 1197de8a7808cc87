import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import { AGENT_TOKEN, ChatClient, OTHER_AGENT_TOKEN, type Running, startTawasul } from '../helpers/app.js';

const t = new Templates();

async function agent(run: Running, path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(`${run.base}/api/agent${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? AGENT_TOKEN}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: r.status, body: await r.json() };
}

describe('call-centre handoff through the agent API', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul();
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('refuses requests without a valid agent token', async () => {
    expect((await agent(run, '/conversations', { token: 'wrong-token-wrong-token' })).status).toBe(401);
    const r = await fetch(`${run.base}/api/agent/conversations`);
    expect(r.status).toBe(401);
  });

  it('lists, takes over, speaks, and hands back; the bot resumes the open dialogue', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('ابي اطلب ردم حفرة قدام البيت');
    await chat.say('سالم بن علي الكعبي');
    expect(await chat.say('ابي اكلم موظف')).toBe(t.render('ar', 'handoff_queued'));

    const waiting = await agent(run, '/conversations?view=waiting');
    expect(waiting.body.conversations.map((c: { key: string }) => c.key)).toContain(chat.key);
    const key = encodeURIComponent(chat.key);

    expect((await agent(run, `/conversations/${key}/take`, { method: 'POST' })).status).toBe(200);
    expect((await agent(run, `/conversations/${key}/take`, { method: 'POST', token: OTHER_AGENT_TOKEN })).status).toBe(409);
    expect((await agent(run, '/conversations?view=waiting')).body.conversations).toEqual([]);

    // While the agent holds the chat the bot stays silent.
    const silent = await chat.post({ text: 'متى بتوصلون؟', clientMessageId: 'held-1' });
    expect(silent.replies).toEqual([]);
    expect((await agent(run, `/conversations/${key}/messages`, { method: 'POST', body: { text: 'أهلاً، سيصل الفريق غداً' } })).status).toBe(201);
    expect((await agent(run, `/conversations/${key}/messages`, { method: 'POST', body: { text: 'x' }, token: OTHER_AGENT_TOKEN })).status).toBe(409);

    const transcript = { messages: await chat.transcript() };
    expect(transcript.messages.filter((m) => m.author === 'agent').map((m) => m.text)).toEqual(['أهلاً، سيصل الفريق غداً']);
    const agentView = await agent(run, `/conversations/${key}/messages`);
    expect(agentView.body.messages.some((m: { text: string }) => m.text === 'متى بتوصلون؟')).toBe(true);

    expect((await agent(run, `/conversations/${key}/release`, { method: 'POST', token: OTHER_AGENT_TOKEN })).status).toBe(409);
    expect((await agent(run, `/conversations/${key}/release`, { method: 'POST' })).status).toBe(200);
    const after = { messages: await chat.transcript() };
    expect(after.messages.at(-1)!.text).toContain('نكمل طلب');
    expect(after.messages.at(-1)!.text).toContain(t.render('ar', 'ask_civilId'));
    // The dialogue resumes at the civil ID.
    expect(await chat.say('12345678')).toBe(t.render('ar', 'ask_phone'));
    const audit = (await run.app.engine.deps.conversations.auditTrail()).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['conversation.take', 'conversation.read', 'conversation.release']));
  });

  it('lets a queued resident go back to the bot with «القائمة»', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('I need to speak with an agent');
    expect(await chat.say('hello?')).toBe(t.render('en', 'handoff_waiting'));
    expect(await chat.say('still there?')).toBe('');
    expect(await chat.say('menu')).toContain(t.render('en', 'menu'));
    expect((await run.app.engine.deps.conversations.get(chat.key))?.owner).toBe('bot');
  });
});
