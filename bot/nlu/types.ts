/** The understanding role: language, intent and service of one message. */
import type { Intent, Language } from '../core/types.js';

/** What the classifier says of one message. */
export interface Classification {
  language: Language;
  intent: Intent;
  /** A service id of config/services.yaml, or null. */
  service: string | null;
  /** 0..1, the intent's score. */
  confidence: number;
  /** 0..1, the service network's score for `service` when the networks chose it; absent when a cue named it, or there is none. */
  serviceScore?: number;
  /** The best candidates, best first (the first is `intent`/`service`); lets the dialogue ask when two are close. */
  alternatives?: Array<{ intent: Intent; service: string | null; score: number }>;
}

/** Classifies messages; trained from the utterances in config/nlu/. */
export interface Classifier {
  /** Classifies `text`; `fallbackLanguage` is the conversation's last language (short or ambiguous text). */
  classify(text: string, fallbackLanguage?: Language): Promise<Classification>;
  /** Starts classifying `text` elsewhere ahead of its turn; resolves once `classify(text)` answers without waiting (optional). */
  prepare?(text: string): Promise<void>;
}
