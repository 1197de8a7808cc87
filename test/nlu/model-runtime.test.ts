/**
 * The classifier's runtime scoring (bot/nlu/model.ts) reads the networks' outputs by position instead
 * of building a record per message: the outputs and the ranking must be the very numbers, in the very
 * order, that the record-based scoring gave, for every labelled line (and a few edge inputs).
 */
import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from '../../bot/core/paths.js';
import { type CompiledNetwork, compileNetwork, networkFromJson, networkToJson, outputsOf, rankOutputs, runCompiled } from '../../bot/nlu/compiled-network.js';
import { extractFeatureVectors, type Features, toFeatures } from '../../bot/nlu/features.js';
import { trainNetworks } from '../../bot/nlu/model.js';
import { loadTrainingData } from '../../bot/nlu/training-data.js';

/** The ranking as the classifier computed it before (from runCompiled's record): the reference. */
function rankRecord(scores: Record<string, number> | undefined): Array<{ label: string; score: number }> {
  const entries = Object.entries(scores ?? {}).map(([label, s]) => ({ label, score: s * s }));
  const total = entries.reduce((sum, e) => sum + e.score, 0);
  if (total <= 0) return [];
  return entries.map((e) => ({ label: e.label, score: e.score / total })).sort((a, b) => b.score - a.score);
}

describe('classifier runtime scoring', () => {
  const utterances = loadTrainingData(defaultConfigDir).utterances;
  // Trained on a tenth (quick), scored on every line: most lines then carry features the networks never saw.
  const models = trainNetworks(utterances.filter((_, i) => i % 10 === 0));
  const nets: Array<[string, CompiledNetwork]> = [
    ['intent', compileNetwork(models.intent)],
    ['service', compileNetwork(models.service)],
  ];

  it('gives the same outputs and the same ranking, to the last bit, as the record-based scoring on every labelled line', () => {
    let compared = 0;
    for (const u of utterances) {
      const { all, content } = extractFeatureVectors(u.text);
      for (const [name, net] of nets) {
        const input = name === 'intent' ? all : content;
        const record = runCompiled(net, input);
        const outputs = outputsOf(net, input);
        expect(
          net.labels.map((l, i) => [l, outputs[i]]),
          u.text,
        ).toEqual(Object.entries(record));
        expect(rankOutputs(net, input), u.text).toEqual(rankRecord(record));
        // A bag of features (as the "elsewhere" re-scoring passes) gives what its vector gives.
        const bag: Features = { ...toFeatures(input), 'x:elsewhere': 3 };
        expect(rankOutputs(net, bag), u.text).toEqual(rankRecord(runCompiled(net, bag)));
        compared++;
      }
    }
    expect(compared).toBe(utterances.length * 2);
  });

  it('ranks labels in the order a record lists them, integer-like labels first, and nothing when every output is zero', () => {
    const net: CompiledNetwork = {
      labels: ['b', '7', 'a', '3'],
      bias: Float64Array.from([0.5, 0.5, -1, 0.25]),
      index: new Map([['f', 0]]),
      weights: Float32Array.from([0, 0, 0, 0.25]),
      alpha: 0.07,
      order: Int32Array.from([3, 1, 0, 2]),
    };
    const inputs: Features[] = [{}, { f: 1 }, { g: 1 }];
    for (const input of inputs) expect(rankOutputs(net, input)).toEqual(rankRecord(runCompiled(net, input)));
    expect(compileNetwork({ toJSON: () => ({ features: [], intents: ['b', '7', 'a', '3'], perceptrons: [[0], [0], [0], [0]] }) } as never).order).toEqual(
      net.order,
    );
    expect(rankOutputs({ ...net, bias: new Float64Array(4) }, {})).toEqual([]);
  });

  it('keeps the same scoring through its JSON (the cache file and a thread start from it), weights as base64 bytes', () => {
    for (const [, net] of nets) {
      const json = JSON.parse(JSON.stringify(networkToJson(net))) as ReturnType<typeof networkToJson>;
      expect(typeof json.weights).toBe('string');
      expect(json.features).toHaveLength(net.index.size);
      const back = networkFromJson(json);
      expect(back.labels).toEqual(net.labels);
      expect(back.order).toEqual(net.order);
      expect(back.weights).toEqual(net.weights);
      expect(back.bias).toEqual(net.bias);
      for (const u of utterances.slice(0, 300)) {
        const { all } = extractFeatureVectors(u.text);
        expect(outputsOf(back, all), u.text).toEqual(outputsOf(net, all));
      }
    }
  });

  it('refuses a network JSON whose weights do not fit its features and labels', () => {
    const json = networkToJson(nets[0]![1]);
    expect(() => networkFromJson({ ...json, features: json.features.slice(1) })).toThrow(/does not fit/);
    expect(() => networkFromJson({ ...json, weights: json.weights.slice(0, 100) })).toThrow(/does not fit/);
    expect(() => networkFromJson({ ...json, bias: [] })).toThrow(/does not fit/);
  });
});
