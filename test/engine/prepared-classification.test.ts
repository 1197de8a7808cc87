/**
 * The engine asks the classifier to prepare a message's text before the turn is queued, so a
 * threaded classifier's answer is ready when the turn reads it (the turn then runs within one pass
 * of the event loop); concurrent turns of one conversation still run in order, each answered once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../bot/core/ids.js';
import { loadTrainedModels } from '../../bot/nlu/classifier.js';
import { ThreadedClassifier } from '../../bot/nlu/threaded-classifier.js';
import { ChatClient, type Running, startTawasul, webchatMessage } from '../helpers/app.js';

describe('a turn with a threaded classifier', () => {
  let run: Running | undefined;
  let classifier: ThreadedClassifier | undefined;
  afterEach(async () => {
    await run?.cleanup();
    await classifier?.close();
    run = undefined;
  });

  it('reads the answer the thread prepared, for messages over HTTP and concurrent turns of one conversation', async () => {
    classifier = new ThreadedClassifier({ models: loadTrainedModels() });
    run = await startTawasul({ classifier });
    const r = run;
    const chat = await ChatClient.open(r.base);
    const answer = await chat.post({ text: 'كم يوم ياخذ طلب التدريب؟' });
    expect(answer.replies.length).toBeGreaterThan(0);
    const texts = ['السلام عليكم', 'شكرا', 'كم رسوم المخيم الشتوي؟', 'ما هي ساعات العمل؟', 'شكرا جزيلا'];
    const results = await Promise.all(texts.map((t) => r.app.engine.handle(webchatMessage(r, 'c1', timeOrderedId(), t), { fresh: true })));
    expect(results.every((x) => !x.duplicate && x.replies.length > 0)).toBe(true);
    const lines = await r.app.engine.deps.conversations.transcript('webchat:c1');
    expect(lines.filter((l) => l.direction === 'in').map((l) => l.text)).toEqual(texts);
    expect(classifier.counts.local).toBe(0);
    expect(classifier.counts.fromThread).toBeGreaterThanOrEqual(1 + texts.length);
  });
});
