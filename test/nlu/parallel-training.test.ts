import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from '../../bot/core/paths.js';
import { compileNetwork } from '../../bot/nlu/compiled-network.js';
import { trainingCorpora, trainModels, trainNetwork } from '../../bot/nlu/model.js';
import { modelsToJson } from '../../bot/nlu/models-json.js';
import { trainModelsInThreads, trainOnThread } from '../../bot/nlu/parallel-training.js';
import { loadTrainingData } from '../../bot/nlu/training-data.js';

describe('training the two networks on threads of their own', () => {
  it('a thread trains its one network as this thread would, and sends the vocabulary with the intent network', async () => {
    const lines = loadTrainingData(defaultConfigDir).utterances.filter((_, i) => i % 40 === 0);
    const tuning = { service: { iterations: 5 } };
    const corpora = trainingCorpora(lines);
    const fromThread = await trainOnThread('service', lines, tuning);
    const here = compileNetwork(trainNetwork('service', corpora.service, tuning));
    expect([...fromThread.network.weights]).toEqual([...here.weights]);
    expect([...fromThread.network.index]).toEqual([...here.index]);
    expect(fromThread.network.labels).toEqual(here.labels);
    expect(fromThread.vocabulary).toEqual([]);
    const intent = await trainOnThread('intent', lines, { intent: { iterations: 1 } });
    expect(intent.vocabulary).toEqual([...corpora.vocabulary]);
  });
  it('gives the models training them one after the other gives, to the bit', async () => {
    const data = loadTrainingData(defaultConfigDir);
    // A twentieth of the lines, every service and intent among them, and fewer epochs: the same code path in a few seconds.
    const lines = data.utterances.filter((_, i) => i % 20 === 0);
    const tuning = { intent: { iterations: 10 }, service: { iterations: 10 } };
    const threaded = await trainModelsInThreads(lines, tuning, data.names);
    const here = trainModels(lines, tuning, data.names);
    // The JSON carries every weight as its Float32 bytes, the features in row order, labels, biases, vocabulary and names.
    expect(modelsToJson(threaded)).toEqual(modelsToJson(here));
    expect(threaded.intent.weights.length).toBeGreaterThan(0);
    expect([...threaded.intent.order]).toEqual([...here.intent.order]);
  });
});
