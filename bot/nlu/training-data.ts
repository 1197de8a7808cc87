/** Loads the training utterances of `config/nlu/` and turns them into the intent and service corpora. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type NluFile, type NluVariety, nluFileSchema } from '../../config/nlu-schema.js';
import { ConfigError } from '../core/errors.js';
import { INTENTS, type Intent } from '../core/types.js';

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
  /** Every name of a service (services.yaml's official names, the nlu files' `serviceNames`), with its id. */
  names: Array<[string, string]>;
  hash: string;
}

/** A service of `services.yaml`: its id and official names. */
interface ServiceNames {
  id: string;
  names: string[];
}

/** Reads the service ids and official names of `services.yaml` in `configDir`. */
function readServices(configDir: string): ServiceNames[] {
  const file = join(configDir, 'services.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as { services?: Array<{ id?: unknown; name?: Record<string, unknown> }> } | null;
  const services = (doc?.services ?? [])
    .filter((s): s is { id: string; name?: Record<string, unknown> } => typeof s.id === 'string')
    .map((s) => ({ id: s.id, names: Object.values(s.name ?? {}).filter((n): n is string => typeof n === 'string') }));
  if (services.length === 0) throw new ConfigError(`${file}: no services`, file, 'services');
  return services;
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

/** The hash of the services' ids and names and the utterance files' bytes (what `loadTrainingData` returns as `hash`), without parsing the utterances: a start-up that finds a cached model needs no more. */
export function trainingDataHash(configDir: string, services = readServices(configDir)): string {
  const dir = join(configDir, 'nlu');
  const hash = createHash('sha256').update(JSON.stringify(services)).update('\0');
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
  const services = readServices(configDir);
  const serviceIds = services.map((s) => s.id);
  const known = new Set(serviceIds);
  const utterances: Utterance[] = [];
  const names: Array<[string, string]> = services.flatMap((s) => s.names.map((n): [string, string] => [n, s.id]));
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
    for (const [service, serviceNames] of Object.entries(doc.serviceNames ?? {})) {
      checkService(service);
      // Each name goes into a different rotation of the templates, so the set stays varied and small.
      names.push(...serviceNames.map((n): [string, string] => [n, service]));
      serviceNames.forEach((serviceName, n) => {
        for (let t = n; t < templates.length; t += serviceNames.length) {
          utterances.push({ text: templates[t]!.replaceAll('{service}', serviceName), intent: 'inquiry', service, variety, source: name, template: true });
        }
      });
    }
  }
  return { utterances, serviceIds, names, hash: trainingDataHash(configDir, services) };
}
