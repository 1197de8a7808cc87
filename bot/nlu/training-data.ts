/** Loads the training utterances of `config/nlu/` and turns them into the intent and service corpora. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type NluFile, type NluVariety, nluFileSchema } from '../../config/nlu-schema.js';
import { ConfigError } from '../core/errors.js';
import { INTENTS, type Intent } from '../core/types.js';

/** Label of the service model for "no particular service". */
export const NO_SERVICE = 'none';

/** One training line. */
export interface Utterance {
  text: string;
  intent: Intent;
  /** Service id, or null when the line names no service. */
  service: string | null;
  variety: NluVariety;
  /** The file it came from (relative to config/nlu). */
  source: string;
  /** Made from an inquiry template and a service name (many near-copies). */
  template?: true;
}

/** Everything the classifier is trained on, with a hash of its sources (the cache key). */
export interface TrainingData {
  utterances: Utterance[];
  serviceIds: string[];
  hash: string;
}

/** Reads the service ids of `services.yaml` in `configDir`. */
export function readServiceIds(configDir: string): string[] {
  const file = join(configDir, 'services.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as { services?: Array<{ id?: unknown }> } | null;
  const ids = (doc?.services ?? []).map((s) => s.id).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) throw new ConfigError(`${file}: no services`, file, 'services');
  return ids;
}

function readNluFile(file: string, name: string): NluFile {
  const result = nluFileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`nlu/${name}: ${issue.path.join('.')}: ${issue.message}`, file, issue.path.join('.'));
  }
  return result.data;
}

const nluFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

/** The hash of the service ids and the utterance files' bytes (what `loadTrainingData` returns as `hash`), without parsing the utterances: a start-up that finds a cached model needs no more. */
export function trainingDataHash(configDir: string, serviceIds = readServiceIds(configDir)): string {
  const dir = join(configDir, 'nlu');
  const hash = createHash('sha256').update(serviceIds.join(',')).update('\0');
  for (const name of nluFiles(dir))
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(dir, name)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Loads and validates every `config/nlu/*.yaml`; throws ConfigError on an unknown intent or service id. */
export function loadTrainingData(configDir: string): TrainingData {
  const dir = join(configDir, 'nlu');
  const serviceIds = readServiceIds(configDir);
  const known = new Set(serviceIds);
  const utterances: Utterance[] = [];
  for (const name of nluFiles(dir)) {
    const file = join(dir, name);
    const doc = readNluFile(file, name);
    const variety = doc.language;
    const checkService = (id: string): void => {
      if (!known.has(id)) throw new ConfigError(`nlu/${name}: unknown service "${id}"`, file, id);
    };
    for (const [intent, lines] of Object.entries(doc.intents ?? {})) {
      if (!(INTENTS as readonly string[]).includes(intent)) throw new ConfigError(`nlu/${name}: unknown intent "${intent}"`, file, intent);
      for (const text of lines) utterances.push({ text, intent: intent as Intent, service: null, variety, source: name });
    }
    for (const [service, lines] of Object.entries(doc.services ?? {})) {
      checkService(service);
      for (const text of lines) utterances.push({ text, intent: 'procedural_request', service, variety, source: name });
    }
    for (const [service, lines] of Object.entries(doc.inquiries ?? {})) {
      checkService(service);
      for (const text of lines) utterances.push({ text, intent: 'inquiry', service, variety, source: name });
    }
    const templates = doc.inquiryTemplates ?? [];
    for (const [service, names] of Object.entries(doc.serviceNames ?? {})) {
      checkService(service);
      // Each name goes into a different rotation of the templates, so the set stays varied and small.
      names.forEach((serviceName, n) => {
        for (let t = n; t < templates.length; t += names.length) {
          utterances.push({ text: templates[t]!.replaceAll('{service}', serviceName), intent: 'inquiry', service, variety, source: name, template: true });
        }
      });
    }
  }
  return { utterances, serviceIds, hash: trainingDataHash(configDir, serviceIds) };
}
