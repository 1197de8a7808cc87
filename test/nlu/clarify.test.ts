import { describe, expect, it } from 'vitest';
import { clarificationChoices, MIN_CONFIDENCE, MIN_MARGIN, routeOf } from '../../bot/nlu/clarify.js';
import type { Classification } from '../../bot/nlu/types.js';

const c = (alternatives: NonNullable<Classification['alternatives']>): Classification => ({
  language: 'ar',
  intent: alternatives[0]!.intent,
  service: alternatives[0]!.service,
  confidence: alternatives[0]!.score,
  alternatives,
});

describe('clarificationChoices', () => {
  it('trusts a clear winner', () => {
    expect(
      clarificationChoices(
        c([
          { intent: 'complaint', service: null, score: 0.9 },
          { intent: 'inquiry', service: null, score: 0.1 },
        ]),
      ),
    ).toBeNull();
  });
  it('asks between two close routes, the top one first', () => {
    const choices = clarificationChoices(
      c([
        { intent: 'procedural_request', service: 'training', score: 0.48 },
        { intent: 'inquiry', service: 'training', score: 0.44 },
        { intent: 'complaint', service: null, score: 0.08 },
      ]),
    );
    expect(choices).toEqual([
      { intent: 'procedural_request', service: 'training' },
      { intent: 'inquiry', service: 'training' },
    ]);
  });
  it('sums the scores of one route: a complaint that might be a report is still sure of its route', () => {
    expect(
      clarificationChoices(
        c([
          { intent: 'complaint', service: null, score: 0.45 },
          { intent: 'report', service: null, score: 0.4 },
          { intent: 'status', service: null, score: 0.15 },
        ]),
      ),
    ).toBeNull();
  });
  it('asks when the top route is below MIN_CONFIDENCE even with a margin', () => {
    const top = MIN_CONFIDENCE - 0.05;
    const choices = clarificationChoices(
      c([
        { intent: 'status', service: null, score: top },
        { intent: 'complaint', service: null, score: top - MIN_MARGIN - 0.01 },
        { intent: 'greeting', service: null, score: 1 - 2 * top + MIN_MARGIN + 0.01 },
      ]),
    );
    expect(choices?.map((x) => routeOf(x.intent))).toEqual(['status', 'tajawob']);
  });
  it('never offers unknown, greeting or thanks as a choice', () => {
    const choices = clarificationChoices({
      language: 'en',
      intent: 'unknown',
      service: null,
      confidence: 0.3,
      alternatives: [
        { intent: 'unknown', service: null, score: 0.3 },
        { intent: 'inquiry', service: null, score: 0.3 },
        { intent: 'complaint', service: null, score: 0.25 },
        { intent: 'greeting', service: null, score: 0.15 },
      ],
    });
    for (const choice of choices ?? []) expect(['unknown', 'greeting', 'thanks']).not.toContain(choice.intent);
  });
  it('without alternatives there is nothing to ask', () => {
    expect(clarificationChoices({ language: 'ar', intent: 'inquiry', service: null, confidence: 0.2 })).toBeNull();
  });
});
