/**
 * A trained network laid out for scoring: the weights of one `@nlpjs/neural` network as one flat
 * Float32Array (a row per feature), its biases and labels. The classifier scores only this layout; the
 * NLP.js network is needed for training alone. The layout's JSON (the classifier cache's body, and what a
 * classifier thread starts from) keeps the weights as base64 bytes, so that loading a model parses
 * feature names and one string, not a million numbers.
 */
import type { Features, FeatureVector } from './features.js';

/** A trained network laid out for scoring one message without allocating per feature: feature → row of one flat weight array (one weight per output). */
export interface CompiledNetwork {
  labels: string[];
  bias: Float64Array;
  /** Feature → its row in `weights`. */
  index: Map<string, number>;
  /** Row-major: the weights of feature j are `weights[j * labels.length …]`. */
  weights: Float32Array;
  alpha: number;
  /** Positions of the labels in the order `Object.entries` lists a record keyed by them (integer-like keys first). */
  order: Int32Array;
}

/** The parts of an NLP.js network's toJSON read here: features, intents, one weight row per intent with the bias last. */
interface NetworkExport {
  toJSON(): unknown;
}

/** Lays out a trained NLP.js network. */
export function compileNetwork(network: NetworkExport): CompiledNetwork {
  const json = network.toJSON() as { features?: string[]; intents?: string[]; perceptrons?: number[][]; settings?: { alpha?: number } };
  const features = json.features ?? [];
  const labels = json.intents ?? [];
  const rows = json.perceptrons ?? [];
  const n = labels.length;
  const weights = new Float32Array(features.length * n);
  rows.forEach((row, i) => {
    for (let j = 0; j < features.length; j++) weights[j * n + i] = row[j] ?? 0;
  });
  return layout(
    labels,
    Float64Array.from(rows, (row) => row[row.length - 1] ?? 0),
    features,
    weights,
    json.settings?.alpha ?? 0.07,
  );
}

function layout(labels: string[], bias: Float64Array, features: readonly string[], weights: Float32Array, alpha: number): CompiledNetwork {
  const index = new Map<string, number>();
  for (let j = 0; j < features.length; j++) index.set(features[j]!, j);
  const positions: Record<string, number> = {};
  labels.forEach((label, i) => {
    positions[label] = i;
  });
  return { labels, bias, index, weights, alpha, order: Int32Array.from(Object.values(positions)) };
}

/** A compiled network as JSON: labels, biases, features in row order, the Float32 weights as little-endian base64. */
export interface NetworkJson {
  labels: string[];
  bias: number[];
  features: string[];
  weights: string;
  alpha: number;
}

/** The network as JSON. */
export function networkToJson(net: CompiledNetwork): NetworkJson {
  const features: string[] = new Array(net.index.size);
  for (const [f, j] of net.index) features[j] = f;
  const bytes = Buffer.from(net.weights.buffer, net.weights.byteOffset, net.weights.byteLength);
  return { labels: net.labels, bias: [...net.bias], features, weights: littleEndian(bytes).toString('base64'), alpha: net.alpha };
}

/** The network back from its JSON; throws when the weights do not fit the features and labels. */
export function networkFromJson(json: NetworkJson): CompiledNetwork {
  const bytes = littleEndian(Buffer.from(json.weights, 'base64'));
  if (bytes.byteLength !== json.features.length * json.labels.length * 4 || json.bias.length !== json.labels.length) {
    throw new Error('the cached network does not fit its features and labels');
  }
  const weights = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(weights.buffer).set(bytes);
  return layout(json.labels, Float64Array.from(json.bias), json.features, weights, json.alpha);
}

/** The bytes in little-endian order (a copy swapped on a big-endian machine; the same bytes otherwise). */
function littleEndian(bytes: Buffer): Buffer {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? bytes : Buffer.from(bytes).swap32();
}

/** The outputs NLP.js's `run` gives (leaky ReLU of the weighted sum, alpha-scaled), by label position, from the compiled layout. */
export function outputsOf(net: CompiledNetwork, input: Features | FeatureVector): Float64Array {
  const { index, weights, bias } = net;
  const n = bias.length;
  const sums = new Float64Array(n);
  sums.set(bias);
  // The same keys in the same order either way, so the sums are the same to the last bit.
  const vector = isVector(input);
  const keys = vector ? input.keys : Object.keys(input);
  const values = vector ? input.values : undefined;
  for (let k = 0; k < keys.length; k++) {
    const j = index.get(keys[k]!);
    if (j === undefined) continue;
    const v = values ? values[k]! : (input as Features)[keys[k]!]!;
    const base = j * n;
    for (let i = 0; i < n; i++) sums[i]! += v * weights[base + i]!;
  }
  for (let i = 0; i < n; i++) sums[i] = sums[i]! <= 0 ? 0 : net.alpha * sums[i]!;
  return sums;
}

/** The outputs NLP.js's `run` gives, as its record: label → output. */
export function runCompiled(net: CompiledNetwork, input: Features | FeatureVector): Record<string, number> {
  const outputs = outputsOf(net, input);
  const out: Record<string, number> = {};
  for (let i = 0; i < outputs.length; i++) out[net.labels[i]!] = outputs[i]!;
  return out;
}

/** One output of a network, ranked: its label, its share of the squared outputs, and its position in the network's outputs. */
export interface Ranked {
  label: string;
  score: number;
  at: number;
}

/**
 * Ranks the outputs of a network, squared and normalized to sum to 1 (as NLP.js does), from the
 * outputs by position: the same numbers, in the same order, as ranking the record `runCompiled`
 * returns (its entries are read in `net.order`, the order `Object.entries` lists them).
 */
export function rankNetwork(net: CompiledNetwork, outputs: Float64Array): Ranked[] {
  const { order, labels } = net;
  const ranked: Ranked[] = new Array(order.length);
  let total = 0;
  for (let k = 0; k < order.length; k++) {
    const at = order[k]!;
    const score = outputs[at]! * outputs[at]!;
    ranked[k] = { label: labels[at]!, score, at };
    total += score;
  }
  if (total <= 0) return [];
  for (const r of ranked) r.score /= total;
  return ranked.sort((a, b) => b.score - a.score);
}

/** The ranking the classifier uses (squared outputs normalized to sum to 1, best first), for tests: labels and scores. */
export function rankOutputs(net: CompiledNetwork, input: Features | FeatureVector): Array<{ label: string; score: number }> {
  return rankNetwork(net, outputsOf(net, input)).map(({ label, score }) => ({ label, score }));
}

const isVector = (input: Features | FeatureVector): input is FeatureVector => Array.isArray(input.keys) && Array.isArray(input.values);
