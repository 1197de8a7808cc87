/**
 * The classifier on its own thread: the same answers as on the calling thread for every labelled and
 * development text, answers taken from the thread once prepared, and a thread that fails leaves the
 * messages classified on the calling thread, logged without their text.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { startModuleWorker } from '../../bot/core/module-worker.js';
import { loadTrainedModels, trainedModelSource } from '../../bot/nlu/classifier.js';
import { NeuralClassifier } from '../../bot/nlu/model.js';
import { modelsToJson } from '../../bot/nlu/models-json.js';
import { SHORT_TEXT_CHARS, ThreadedClassifier } from '../../bot/nlu/threaded-classifier.js';
import { blindFiles, LABELLED_FILE, loadLabelled } from '../eval/evaluate.js';
import { classifierContract } from './classifier-contract.js';

const models = loadTrainedModels();

classifierContract('NeuralClassifier (calling thread)', async () => ({ classifier: new NeuralClassifier(models) }));
classifierContract('ThreadedClassifier', async () => {
  const classifier = new ThreadedClassifier({ models });
  return { classifier, close: () => classifier.close() };
});

const STOPPED = 'classifier thread stopped; classifying on the main thread';

/** A message prepared while (or after) the thread is lost, and the next one, are answered here as the model answers them. */
async function expectClassifiedHere(threaded: ThreadedClassifier, text: string): Promise<void> {
  const expected = new NeuralClassifier(models).classifySync(text, 'ar');
  for (let i = 0; i < 2; i++) {
    await threaded.prepare(text);
    expect(await threaded.classify(text, 'ar')).toEqual(expected);
  }
  expect(threaded.counts).toEqual({ fromThread: 0, remembered: 0, local: 2 });
}

describe('ThreadedClassifier', () => {
  it('answers every labelled and blind-set text as the calling thread does, from the thread once prepared', async () => {
    const texts = [...new Set([LABELLED_FILE, ...blindFiles()].flatMap((f) => loadLabelled(f).map((i) => i.text)))];
    expect(texts.length).toBeGreaterThan(500);
    const local = new NeuralClassifier(models);
    const threaded = new ThreadedClassifier({ models });
    try {
      for (const language of ['ar', 'en'] as const) {
        await Promise.all(texts.map((t) => threaded.prepare(t)));
        for (const t of texts) expect(await threaded.classify(t, language), t).toEqual(local.classifySync(t, language));
      }
      // The second time, short texts are answered from what the thread said the first time.
      const short = texts.filter((t) => t.length <= SHORT_TEXT_CHARS).length;
      expect(short).toBeGreaterThan(50);
      expect(threaded.counts).toEqual({ fromThread: 2 * texts.length - short, remembered: short, local: 0 });
    } finally {
      await threaded.close();
    }
  });

  it('sends a short text to the thread once and remembers its answer; a longer text goes each time', async () => {
    const threaded = new ThreadedClassifier({ models });
    const local = new NeuralClassifier(models);
    const short = 'شكرا جزيلا';
    const long = 'ابغى احجز موعد مع سعادة المحافظ بخصوص ارض الوالد في محضة';
    expect(short.length).toBeLessThanOrEqual(SHORT_TEXT_CHARS);
    expect(long.length).toBeGreaterThan(SHORT_TEXT_CHARS);
    try {
      for (const language of ['ar', 'en'] as const) {
        for (const text of [short, long]) {
          await threaded.prepare(text);
          expect(await threaded.classify(text, language)).toEqual(local.classifySync(text, language));
        }
      }
      expect(threaded.counts).toEqual({ fromThread: 3, remembered: 1, local: 0 });
    } finally {
      await threaded.close();
    }
  });

  it('classifies a text that was not prepared on the calling thread', async () => {
    const threaded = new ThreadedClassifier({ models });
    try {
      const text = 'كم رسوم المخيم الشتوي؟';
      expect(await threaded.classify(text, 'ar')).toEqual(new NeuralClassifier(models).classifySync(text, 'ar'));
      expect(threaded.counts).toEqual({ fromThread: 0, remembered: 0, local: 1 });
    } finally {
      await threaded.close();
    }
  });

  it('when the thread dies, waiting and later messages are classified on the calling thread, and the log names no text', async () => {
    const logged: Array<{ obj: object; msg: string }> = [];
    const log = { error: (obj: object, msg: string) => logged.push({ obj, msg }) };
    const dying = (): Worker => new Worker('process.exit(3)', { eval: true });
    const threaded = new ThreadedClassifier({ models }, { log, start: dying });
    try {
      await expectClassifiedHere(threaded, 'ابغى احجز موعد مع المحافظ بخصوص ارض');
      expect(logged.map((l) => l.msg)).toEqual([STOPPED]);
      expect(JSON.stringify(logged)).not.toContain('المحافظ');
    } finally {
      await threaded.close();
    }
  });

  it('sends the answers to texts that came together back in one message, in their order', async () => {
    const texts = ['السلام عليكم', 'ابي اقدم شكوى على الحفر اللي في الشارع', 'stray dogs near the school', 'متى يخلص طلبي'];
    const here = new URL('../../bot/nlu/threaded-classifier.ts', import.meta.url).href;
    const worker = startModuleWorker(here, 'classifier-thread', { workerData: { source: { json: modelsToJson(models) } } });
    try {
      const messages: unknown[] = [];
      const answered = new Promise<void>((resolve) => {
        worker.on('message', (m: unknown) => {
          messages.push(m);
          if (Array.isArray(m)) resolve();
        });
      });
      // Posted before the thread has built its classifier: they wait in its queue and are read together.
      for (const text of texts) worker.postMessage({ text });
      await answered;
      const local = new NeuralClassifier(models);
      expect(messages).toEqual([{ ready: true }, texts.map((t) => ({ result: local.classifySync(t) }))]);
    } finally {
      await worker.terminate();
    }
  });

  it('reads the models from the cache file on its own thread; a file it cannot read leaves classification here', async () => {
    const text = 'ودي اسجل في المخيم الشتوي';
    const expected = new NeuralClassifier(models).classifySync(text, 'ar');
    const source = trainedModelSource();
    expect(source).toHaveProperty('file');
    const fromFile = new ThreadedClassifier(source, { fallback: () => models });
    const logged: string[] = [];
    const broken = new ThreadedClassifier(
      { file: '/nonexistent/nlu-0.json', key: '0' },
      { log: { error: (_o, msg) => logged.push(msg) }, fallback: () => models },
    );
    try {
      await Promise.all([fromFile.prepare(text), broken.prepare(text)]);
      expect(await fromFile.classify(text, 'ar')).toEqual(expected);
      expect(await broken.classify(text, 'ar')).toEqual(expected);
      expect(fromFile.counts).toEqual({ fromThread: 1, remembered: 0, local: 0 });
      expect(broken.counts).toEqual({ fromThread: 0, remembered: 0, local: 1 });
      expect(logged).toEqual([STOPPED]);
    } finally {
      await Promise.all([fromFile.close(), broken.close()]);
    }
  });

  it('gives up a thread that stops answering: the waiting message and later ones are classified on the calling thread', async () => {
    const logged: string[] = [];
    const silent = (): Worker =>
      new Worker("const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', () => {});", {
        eval: true,
      });
    const threaded = new ThreadedClassifier({ models }, { log: { error: (_o, msg) => logged.push(msg) }, start: silent, answerWithinMs: 20 });
    try {
      await expectClassifiedHere(threaded, 'وين وصل طلبي');
      expect(logged).toEqual([STOPPED]);
    } finally {
      await threaded.close();
    }
  });

  it('a text the thread fails on is classified on the calling thread, logged without its text, and the thread stays', async () => {
    const logged: Array<{ obj: object; msg: string }> = [];
    const failing = (): Worker =>
      new Worker(
        "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', () => parentPort.postMessage([{ error: 'boom' }]));",
        { eval: true },
      );
    const log = { error: (obj: object, msg: string) => logged.push({ obj, msg }) };
    const threaded = new ThreadedClassifier({ models }, { log, start: failing });
    try {
      await expectClassifiedHere(threaded, 'عندي شكوى على البلدية');
      expect(logged.map((l) => l.msg)).toEqual(Array(2).fill('classifier thread failed a text; classifying on the main thread'));
      expect(JSON.stringify(logged)).not.toContain('شكوى');
    } finally {
      await threaded.close();
    }
  });

  it('after close, prepares nothing and still classifies', async () => {
    const threaded = new ThreadedClassifier({ models });
    await threaded.close();
    await threaded.prepare('شكرا');
    expect((await threaded.classify('شكرا', 'ar')).intent).toBe('thanks');
    expect(threaded.counts).toEqual({ fromThread: 0, remembered: 0, local: 1 });
  });
});
