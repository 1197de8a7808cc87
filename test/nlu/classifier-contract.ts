/**
 * The contract every Classifier implementation runs (like keyv's test-suite): well-formed answers,
 * the conversation's language for a text without words, one fresh answer per call, and, where the
 * implementation prepares texts ahead of their turn, the same answer prepared or not.
 */
import { describe, expect, it } from 'vitest';
import { INTENTS } from '../../bot/core/types.js';
import type { Classifier } from '../../bot/nlu/types.js';

const TEXTS = [
  'السلام عليكم',
  'ابغى احجز موعد مع المحافظ',
  'كم يوم ياخذ طلب التدريب؟',
  'وين وصل طلبي رقم ١٢٣٤',
  'the street lights near the roundabout are out',
  'shukran 3la el mosa3da',
  'أبي أكلم موظف',
];

/** Runs the contract against `make()` (called once per test; `close` is awaited after it when given). */
export function classifierContract(name: string, make: () => Promise<{ classifier: Classifier; close?: () => Promise<void> }>): void {
  describe(`Classifier contract: ${name}`, () => {
    const withClassifier = (fn: (c: Classifier) => Promise<void>) => async () => {
      const { classifier, close } = await make();
      try {
        await fn(classifier);
      } finally {
        await close?.();
      }
    };

    it(
      'answers every text with a known intent, a language, and alternatives best first led by the answer',
      withClassifier(async (c) => {
        for (const text of TEXTS) {
          await c.prepare?.(text);
          const a = await c.classify(text, 'ar');
          expect(INTENTS).toContain(a.intent);
          expect(['ar', 'en']).toContain(a.language);
          expect(a.confidence).toBeGreaterThanOrEqual(0);
          expect(a.confidence).toBeLessThanOrEqual(1);
          const scores = (a.alternatives ?? []).map((x) => x.score);
          expect([...scores].sort((x, y) => y - x)).toEqual(scores);
          if (a.intent !== 'unknown') expect(a.alternatives?.[0]).toMatchObject({ intent: a.intent, service: a.service });
        }
      }),
    );

    it(
      "gives a text without words the conversation's language",
      withClassifier(async (c) => {
        for (const language of ['ar', 'en'] as const) {
          await c.prepare?.('👍');
          expect((await c.classify('👍', language)).language).toBe(language);
        }
      }),
    );

    it(
      'answers the same text the same way, prepared or not, and never hands two callers one object',
      withClassifier(async (c) => {
        const text = TEXTS[1]!;
        const plain = await c.classify(text, 'ar');
        await Promise.all([c.prepare?.(text), c.prepare?.(text)]);
        const [a, b] = await Promise.all([c.classify(text, 'ar'), c.classify(text, 'ar')]);
        expect(a).toEqual(plain);
        expect(b).toEqual(plain);
        expect(a).not.toBe(b);
        a.alternatives?.splice(0);
        a.intent = 'thanks';
        expect(await c.classify(text, 'ar')).toEqual(plain);
      }),
    );
  });
}
