/** End-to-end: "when unsure, ask" — one numbered question, the answer routes the original message, never two in a row. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import type { Classification, Classifier } from '../../bot/nlu/types.js';
import { ChatClient, type Running, sharedClassifier, startTawasul } from '../helpers/app.js';

const t = new Templates();
const UNSURE_AR = 'الموضوع عن الحفرة اللي قدام بيتنا من شهر';
const UNSURE_EN = 'about that hole in front of our house since last month';
const UNSURE_OTHER = 'the thing from before';

/** The real classifier, except for three messages it is made unsure about (as the new classifier reports alternatives). */
async function stubClassifier(): Promise<Classifier> {
  const real = await sharedClassifier();
  const unsure: Record<string, Classification> = {
    [UNSURE_AR]: {
      language: 'ar',
      intent: 'complaint',
      service: null,
      confidence: 0.46,
      alternatives: [
        { intent: 'complaint', service: null, score: 0.46 },
        { intent: 'procedural_request', service: 'potholes', score: 0.41 },
      ],
    },
    [UNSURE_EN]: {
      language: 'en',
      intent: 'complaint',
      service: null,
      confidence: 0.46,
      alternatives: [
        { intent: 'complaint', service: null, score: 0.46 },
        { intent: 'procedural_request', service: 'potholes', score: 0.41 },
      ],
    },
    [UNSURE_OTHER]: {
      language: 'en',
      intent: 'inquiry',
      service: null,
      confidence: 0.4,
      alternatives: [
        { intent: 'inquiry', service: null, score: 0.4 },
        { intent: 'status', service: null, score: 0.38 },
      ],
    },
  };
  return { classify: async (text, fallback) => unsure[text] ?? real.classify(text, fallback) };
}

describe('when unsure, ask', () => {
  let run: Running;
  let potholes: { ar: string; en: string };
  beforeAll(async () => {
    run = await startTawasul({ classifier: await stubClassifier() });
    potholes = run.app.config.services.find((s) => s.id === 'potholes')!.name;
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('asks one numbered question in Arabic and routes the original message by an Arabic-Indic digit', async () => {
    const chat = await ChatClient.open(run.base);
    const q = await chat.say(UNSURE_AR);
    expect(q).toContain('هل تقصد:');
    expect(q).toContain('١) تقديم شكوى');
    expect(q).toContain(`٢) تقديم طلب «${potholes.ar}»`);
    const reply = await chat.say('٢');
    expect(reply).toContain(t.render('ar', 'intake_start', { service: potholes.ar }));
    expect(reply.endsWith(t.render('ar', 'ask_name'))).toBe(true);
    // The transcript keeps what the resident wrote.
    const inbound = (await run.app.engine.deps.conversations.transcript(chat.key, 0)).filter((e) => e.direction === 'in').map((e) => e.text);
    expect(inbound).toEqual([UNSURE_AR, '٢']);
  });

  it('routes by words: «شكوى» picks the complaint and gets the approved reply', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say(UNSURE_AR);
    expect(await chat.say('شكوى')).toBe(t.approvedReply('ar'));
  });

  it('asks in English and routes by a Latin digit or by words', async () => {
    const a = await ChatClient.open(run.base);
    const q = await a.say(UNSURE_EN);
    expect(q).toContain('Do you mean:');
    expect(q).toContain('1) Filing a complaint');
    expect(q).toContain(`2) Filing a "${potholes.en}" request`);
    expect(await a.say('1')).toBe(t.approvedReply('en'));
    const b = await ChatClient.open(run.base);
    await b.say(UNSURE_EN);
    const reply = await b.say('I want to file a request');
    expect(reply).toContain(t.render('en', 'intake_start', { service: potholes.en }));
  });

  it('never asks twice in a row: an unsure answer to the question is handled as it stands', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say(UNSURE_EN);
    const reply = await chat.say(UNSURE_OTHER);
    expect(reply).not.toContain('Do you mean:');
    // Asked again later, after a turn without a question, the bot may ask again.
    expect(await chat.say(UNSURE_EN)).toContain('Do you mean:');
  });

  it('does not ask when the classifier is sure', async () => {
    const chat = await ChatClient.open(run.base);
    expect(await chat.say('عندي شكوى على البلدية')).toBe(t.approvedReply('ar'));
  });
});
