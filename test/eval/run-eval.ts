/**
 * `npm run eval`: the accuracy report of the understanding layer on test/eval/labelled.yaml.
 * Prints intent, service and language accuracy, per-intent recall/precision, per-variety accuracy,
 * the top confusions and the classification time. `--errors` also lists the misclassified messages
 * (synthetic texts of the labelled set). Exits 0 unless the evaluation itself fails.
 */
import { createClassifier } from '../../bot/nlu/classifier.js';
import { evaluate, loadLabelled, type Tally } from './evaluate.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const tally = (t: Tally): string => (t.total === 0 ? '   -   ' : `${pct(t.correct / t.total).padStart(6)} (${t.correct}/${t.total})`);

async function main(): Promise<void> {
  const items = loadLabelled();
  const t0 = performance.now();
  const classifier = await createClassifier({ cacheDir: false });
  const startMs = performance.now() - t0;
  const report = await evaluate(classifier, items, { timingRounds: 11 });

  console.log(`Tawasul NLU evaluation: ${report.items} labelled messages`);
  console.log(`training (no cache): ${startMs.toFixed(0)} ms\n`);
  console.log('intent               recall                 precision');
  for (const [intent, r] of Object.entries(report.perIntent)) {
    console.log(`  ${intent.padEnd(19)} ${tally(r.recall).padEnd(22)} ${tally(r.precision)}`);
  }
  console.log('\nvariety   intent                 service');
  for (const [variety, r] of Object.entries(report.perVariety)) {
    console.log(`  ${variety.padEnd(8)}${tally(r.intent).padEnd(23)}${tally(r.service)}`);
  }
  console.log(`\nintent accuracy:   ${pct(report.intentAccuracy)}`);
  console.log(`service accuracy:  ${pct(report.serviceAccuracy)} (items with a gold service)`);
  console.log(`language accuracy: ${pct(report.languageAccuracy)}`);
  console.log(`classification time per message (${report.items} × 10 rounds): wall p50 ${report.p50Ms.toFixed(3)} ms, p99 ${report.p99Ms.toFixed(3)} ms; CPU p50 ${report.cpuP50Ms.toFixed(3)} ms, p99 ${report.cpuP99Ms.toFixed(3)} ms`);
  console.log('\ntop intent confusions (gold → predicted):');
  for (const c of report.confusions.slice(0, 10)) console.log(`  ${c.gold} → ${c.predicted}: ${c.count}`);
  if (report.confusions.length === 0) console.log('  none');
  console.log('top service confusions (gold → predicted):');
  for (const c of report.serviceConfusions.slice(0, 10)) console.log(`  ${c.gold} → ${c.predicted}: ${c.count}`);
  if (report.serviceConfusions.length === 0) console.log('  none');
  if (process.argv.includes('--errors')) {
    console.log('\nmisclassified:');
    for (const { item, got } of report.errors) {
      const gold = `${item.intent}/${item.service ?? '-'}/${item.language}`;
      console.log(`  [${item.variety}] gold ${gold}  got ${got.intent}/${got.service ?? '-'}/${got.language} (${got.confidence.toFixed(2)})  ${item.text}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error('evaluation failed:', err);
  process.exit(1);
});
