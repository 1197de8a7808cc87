/**
 * The classifier on a thread of its own, so that reading a message (a fifth to a third of a turn's
 * CPU) runs beside the event loop instead of on it.
 *
 * The engine calls `prepare(text)` when a message arrives, before its turn is queued; the text goes
 * to the thread at once and the thread answers in order, the answers to the texts it read together in
 * one message (under load, one wake-up of the event loop for several answers: about a tenth less of its
 * CPU per message). (Texts gathered into one batch per pass of the
 * event loop made the two threads take turns, each idle while the other worked: a fifth to a third
 * fewer messages per second under load, see the README's Performance section.) The turn's
 * `classify(text, language)` then takes the prepared answer without waiting, so a turn still runs
 * within one pass of the event loop (its claim and end commit together, see engine/turn-claim.ts). A text that was not prepared (a replay after a crash, the command line) is
 * classified here, on the calling thread, by the same model; so is everything once the thread has
 * failed. The thread classifies without the conversation's language; the language only decides the
 * answer's `language` field (for a text without words), which is set here. The thread's answers to short
 * texts (greetings, thanks, menu numbers, yes and no) are remembered, so the same short text is not sent again.
 */
import type { Worker } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { startModuleWorker } from '../core/module-worker.js';
import type { Language } from '../core/types.js';
import type { ThreadAnswer, ThreadRequest, ThreadSource } from './classifier-thread.js';
import { detectLanguage } from './language.js';
import { NeuralClassifier, type TrainedModels } from './model.js';
import { type ModelSource, modelsToJson } from './models-json.js';
import type { Classification, Classifier } from './types.js';

/** Prepared answers kept at most (texts prepared but never classified, e.g. while an agent holds the chat, age out). */
const MAX_PREPARED = 4096;

/** Texts at most this long are remembered once answered («شكرا», "hi", «نعم», "1"): residents send them again and again. */
export const SHORT_TEXT_CHARS = 24;
/** How many short texts' answers are remembered (least recently used dropped first). */
const MAX_SHORT = 2048;

/** What the classifier reports about its thread (no message text). */
export interface ThreadLog {
  error(obj: object, msg: string): void;
}

/** Starts the thread given what it builds the classifier from (the default runs classifier-thread.ts; tests pass a failing one). */
export type ThreadStarter = (source: ThreadSource) => Worker;

/** Options of a ThreadedClassifier. */
export interface ThreadedOptions {
  log?: ThreadLog;
  start?: ThreadStarter;
  /** Loads the models for classifying on the calling thread (needed when the source is a file). */
  fallback?: () => TrainedModels;
  /** How long a ready thread may take over its oldest text before it is given up (default 5 s). */
  answerWithinMs?: number;
  /** How long the thread may take to start (default 60 s). */
  startWithinMs?: number;
}

/** How many classifications came from the thread, from the short texts remembered, and how many were computed on the calling thread. */
export interface ThreadCounts {
  fromThread: number;
  remembered: number;
  local: number;
}

interface Slot {
  /** Turns that prepared this text and have not classified it yet. */
  count: number;
  result?: Classification;
  ready: Promise<void>;
  settle: () => void;
}

/** The classifier running on a worker thread, with the same model on the calling thread as its fallback. */
export class ThreadedClassifier implements Classifier {
  private readonly worker: Worker;
  private readonly slots = new Map<string, Slot>();
  /** The thread's answers to short texts, which need no second trip to the thread. */
  private readonly short = new LRUCache<string, Classification>({ max: MAX_SHORT });
  /** Texts sent and not yet answered, oldest first. */
  private readonly inFlight: Array<[string, Slot]> = [];
  private started = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly answerWithinMs: number;
  private readonly startWithinMs: number;
  private failed = false;
  private here: NeuralClassifier | undefined;
  private readonly log: ThreadLog | undefined;
  private readonly load: () => TrainedModels;
  /** Where the answers came from, since start. */
  readonly counts: ThreadCounts = { fromThread: 0, remembered: 0, local: 0 };

  constructor(source: ModelSource, options: ThreadedOptions = {}) {
    this.log = options.log;
    this.answerWithinMs = options.answerWithinMs ?? 5000;
    this.startWithinMs = options.startWithinMs ?? 60_000;
    const { fallback } = options;
    if ('models' in source) this.load = () => source.models;
    else if (fallback) this.load = fallback;
    else throw new TypeError('a ThreadedClassifier reading a cache file needs a fallback loader');
    this.worker = (options.start ?? startThread)('models' in source ? { json: modelsToJson(source.models) } : source);
    this.worker.unref();
    this.worker.on('message', (m: ThreadAnswer[] | { ready: true }) => this.answer(m));
    this.worker.on('error', (err) => this.fail(err));
    // After close (or a failure) `fail` does nothing: only an exit nobody asked for is reported.
    this.worker.on('exit', (code) => this.fail(new Error(`classifier thread exited with code ${code}`)));
  }

  /** Starts classifying `text` on the thread; resolves once `classify(text)` will answer without waiting. */
  prepare(text: string): Promise<void> {
    if (this.failed || text === '' || this.short.has(text)) return Promise.resolve();
    const known = this.slots.get(text);
    if (known) {
      known.count++;
      return known.ready;
    }
    let settle!: () => void;
    const ready = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const slot: Slot = { count: 1, ready, settle };
    this.slots.set(text, slot);
    this.inFlight.push([text, slot]);
    this.worker.postMessage({ text } satisfies ThreadRequest);
    this.arm();
    if (this.slots.size > MAX_PREPARED) this.evict();
    return ready;
  }

  /** The prepared answer for `text` when there is one, else the model's answer computed here. */
  classify(text: string, fallbackLanguage?: Language): Promise<Classification> {
    const slot = this.slots.get(text);
    if (slot?.result) {
      this.counts.fromThread++;
      if (--slot.count <= 0) this.slots.delete(text);
      return Promise.resolve(copyFor(slot.result, detectLanguage(text, fallbackLanguage)));
    }
    const known = this.short.get(text);
    if (known) {
      this.counts.remembered++;
      return Promise.resolve(copyFor(known, detectLanguage(text, fallbackLanguage)));
    }
    this.counts.local++;
    return Promise.resolve(this.local().classifySync(text, fallbackLanguage));
  }

  /** Stops the thread (prepared texts are then classified here). */
  async close(): Promise<void> {
    this.failed = true;
    this.disarm();
    this.release();
    await this.worker.terminate();
  }

  private local(): NeuralClassifier {
    this.here ??= new NeuralClassifier(this.load());
    return this.here;
  }

  /** Watches the oldest text: a thread that stops answering (stuck, starved) is given up like a failed one. */
  private arm(): void {
    if (this.watchdog || this.failed || this.inFlight.length === 0) return;
    const oldest = this.inFlight[0];
    const ms = this.started ? this.answerWithinMs : this.startWithinMs;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (this.inFlight[0] !== oldest) return this.arm();
      this.fail(new Error(`classifier thread gave no answer within ${ms} ms`));
      void this.worker.terminate();
    }, ms);
    this.watchdog.unref();
  }

  private disarm(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private answer(m: ThreadAnswer[] | { ready: true }): void {
    this.disarm();
    if (Array.isArray(m)) for (const a of m) this.take(a);
    else this.started = true;
    this.arm();
  }

  /** One answer of the thread, to the oldest text it was sent. */
  private take(a: ThreadAnswer): void {
    const sent = this.inFlight.shift();
    if (!sent) return;
    if ('error' in a) {
      // The text goes unanswered: its turns classify here.
      this.log?.error({ err: { name: 'ClassifierThreadError', message: a.error } }, 'classifier thread failed a text; classifying on the main thread');
      return this.drop([sent]);
    }
    sent[1].result = a.result;
    if (sent[0].length <= SHORT_TEXT_CHARS) this.short.set(sent[0], a.result);
    sent[1].settle();
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.disarm();
    this.log?.error({ err: { name: err.name, message: err.message } }, 'classifier thread stopped; classifying on the main thread');
    this.release();
  }

  /** Lets every waiting turn go on (they classify here). */
  private release(): void {
    this.drop(this.inFlight.splice(0));
  }

  /** Forgets slots that will get no answer and lets their turns go on. */
  private drop(sent: Array<[string, Slot]>): void {
    for (const [text, slot] of sent) {
      if (this.slots.get(text) === slot) this.slots.delete(text);
      slot.settle();
    }
  }

  /** Drops the oldest answered slots beyond MAX_PREPARED. */
  private evict(): void {
    for (const [text, slot] of this.slots) {
      if (this.slots.size <= MAX_PREPARED) return;
      if (slot.result) this.slots.delete(text);
    }
  }
}

/** A fresh copy of a prepared answer (several turns may share one text) with the turn's language. */
function copyFor(c: Classification, language: Language): Classification {
  return { ...c, language, ...(c.alternatives ? { alternatives: c.alternatives.map((a) => ({ ...a })) } : {}) };
}

/** Starts the thread: classifier-thread.ts beside this file. */
const startThread: ThreadStarter = (source) => startModuleWorker(import.meta.url, 'classifier-thread', { workerData: { source } });
