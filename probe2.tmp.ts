import { createClassifier } from './bot/nlu/classifier.js';
import { extractFeatureSets } from './bot/nlu/features.js';
import { compileNetwork, runCompiled } from './bot/nlu/model.js';
const c = await createClassifier({ cacheDir: '/tmp/nlu5/cache' });
const net = compileNetwork((c as any).models.service);
const { content } = extractFeatureSets(process.argv[2]!);
console.log(content);
for (const b of [1, 3, 10]) {
  const out = runCompiled(net, { ...content, 'x:elsewhere': (content['x:elsewhere'] ?? 0) * b });
  console.log(b, Object.entries(out).filter(([, v]) => v > 0.01).map(([k, v]) => `${k}:${v.toFixed(2)}`).join(' '));
}
const j = net.index.get('x:elsewhere')!; const n = net.labels.length;
console.log(net.labels.map((l, i) => `${l}:${net.weights[j * n + i]!.toFixed(2)}`).join(' '));
