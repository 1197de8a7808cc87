/** Classifications built by hand for tests of the cues that overrule the networks. */
import type { Classification } from '../../bot/nlu/types.js';

/** The networks' answer `intent` (and `service`) with `score` as its confidence and only alternative, in Arabic. */
export const as = (intent: Classification['intent'], service: string | null = null, score = 0.9): Classification => ({
  language: 'ar',
  intent,
  service,
  confidence: score,
  alternatives: [{ intent, service, score }],
});
