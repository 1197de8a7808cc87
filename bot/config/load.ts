import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { configSchema, type TawasulConfig } from '../../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { defaultConfigDir } from '../core/paths.js';

/** Where to read configuration from. */
export interface LoadOptions {
  /** Folder of the YAML files (default: the project's `config/`). */
  dir?: string;
  /** Optional overlay files merged on top (lists of objects with `id` are merged by id). */
  overlays?: string[];
  /** In-memory overlay, merged last (tests, admin API). */
  patch?: Record<string, unknown>;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Identity of a list item when merging: its `id`, plus the year of `from` for dated entries (holidays). */
const itemKey = (x: Plain): string => `${String(x.id)}@${typeof x.from === 'string' ? x.from.slice(0, 4) : ''}`;

/** Deep-merges `b` into `a`; arrays of objects with `id` merge item by item, other arrays are replaced. */
export function mergeConfig(a: unknown, b: unknown): unknown {
  if (isPlain(a) && isPlain(b)) {
    const out: Plain = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? mergeConfig(a[k], v) : v;
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && b.every((x) => isPlain(x) && typeof x.id === 'string')) {
    const out = [...a];
    for (const item of b as Plain[]) {
      const i = out.findIndex((x) => isPlain(x) && itemKey(x) === itemKey(item));
      if (i >= 0) out[i] = mergeConfig(out[i], item);
      else out.push(item);
    }
    return out;
  }
  return b;
}

function readYaml(file: string): Plain {
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${file}: YAML error: ${e.message}`, file, e.linePos?.[0] ? `line ${e.linePos[0].line}` : '(document)');
  }
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (!isPlain(value)) throw new ConfigError(`${file}: expected a mapping at the top level`, file, '(document)');
  return value;
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');

/** Reads, merges and validates the configuration; throws ConfigError naming the file and field. */
export function loadConfig(options: LoadOptions = {}): TawasulConfig {
  const dir = options.dir ?? defaultConfigDir;
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  const owner = new Map<string, string>();
  let merged: Plain = {};
  for (const file of files) {
    const doc = readYaml(file);
    for (const key of Object.keys(doc)) {
      if (owner.has(key)) throw new ConfigError(`${file}: key "${key}" is already defined in ${owner.get(key)}`, file, key);
      owner.set(key, file);
    }
    merged = { ...merged, ...doc };
  }
  const overlaySources: Array<{ file: string; doc: Plain }> = [];
  for (const file of options.overlays ?? []) {
    if (!existsSync(file)) continue;
    overlaySources.push({ file, doc: readYaml(file) });
  }
  if (options.patch) overlaySources.push({ file: '(patch)', doc: options.patch });
  for (const { doc } of overlaySources) merged = mergeConfig(merged, doc) as Plain;

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = pathText(issue.path);
    const top = String(issue.path[0] ?? '');
    const overlay = overlaySources.find((o) => top in o.doc);
    const file = overlay?.file ?? owner.get(top) ?? dir;
    const shown = file.startsWith('(') ? file : relative(process.cwd(), file) || file;
    throw new ConfigError(`${shown}: ${field || '(root)'}: ${issue.message}`, shown, field);
  }
  return result.data;
}
