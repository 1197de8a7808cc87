/**
 * Schema of the classifier's training utterances in `config/nlu/*.yaml`. Each file holds one
 * variety of writing (`ar`: Modern Standard and Gulf Arabic, `en`: English, `arabizi`: Gulf Arabic in
 * Latin letters) and any of: utterances per intent, utterances per service (requests to file that
 * service), and inquiry templates combined with short service names (questions about a service).
 */
import { z } from 'zod';

/** The writing varieties the utterance files are grouped by. */
export const nluVariety = z.enum(['ar', 'en', 'arabizi']);
export type NluVariety = z.infer<typeof nluVariety>;

const utterances = z.array(z.string().trim().min(1)).min(1);
const key = z.string().regex(/^[a-z][a-z_-]*$/, 'expected an intent or service id');

/** One utterance file. Intent and service ids are checked against INTENTS and services.yaml by the loader. */
export const nluFileSchema = z
  .object({
    language: nluVariety,
    /** Intent → utterances. */
    intents: z.record(key, utterances).optional(),
    /** Service id → utterances asking to file that service (they also train `procedural_request`). */
    services: z.record(key, utterances).optional(),
    /** Service id → free-worded questions about that service (they train `inquiry` with the service). */
    inquiries: z.record(key, utterances).optional(),
    /** Questions about a service; `{service}` is replaced by each of the service's names (they train `inquiry`). */
    inquiryTemplates: z.array(z.string().includes('{service}', { message: 'a template needs {service}' })).optional(),
    /** Service id → short names used in the inquiry templates. */
    serviceNames: z.record(key, utterances).optional(),
  })
  .strict();
export type NluFile = z.infer<typeof nluFileSchema>;
