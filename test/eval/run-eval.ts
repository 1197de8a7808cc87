/**
 * `npm run eval`: the accuracy report of the understanding layer, three ways:
 *   1. k-fold cross-validation over the training utterances of config/nlu/ (mean and worst fold);
 *   2. the labelled set test/eval/labelled.yaml;
 *   3. the blind sets test/eval/blind-*.yaml (written before tuning; the figure to trust is the newest).
 * The development sets test/eval/dev-*.yaml (hard cases written for tuning) are printed after the labelled set.
 * Each prints route, intent and service accuracy over decided messages, the clarification rate,
 * per intent, per variety, per service, the confusion pairs and the classification time.
 * Options: `--folds N` (default 5, 0 skips), `--no-blind` (while developing: never tune on a blind set),
 * `--errors` (lists misclassified and clarified messages). Exits 0 unless the evaluation itself fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createClassifier } from '../../bot/nlu/classifier.js';
import { crossValidate } from './cross-validate.js';
import { blindFiles, devFiles, type EvalReport, evaluate, type GroupFigures, LABELLED_FILE, loadLabelled, type Tally } from './evaluate.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const tally = (t: Tally): string => (t.total === 0 ? '   -   ' : `${pct(t.correct / t.total).padStart(6)} (${t.correct}/${t.total})`);
const groupLine = (name: string, g: GroupFigures): string =>
  `  ${name.padEnd(20)}${tally(g.route).padEnd(20)}${tally(g.intent).padEnd(20)}${tally(g.service).padEnd(20)}${g.clarified}/${g.messages}`;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function printReport(title: string, report: EvalReport, errors: boolean): void {
  console.log(`\n=== ${title}: ${report.items} messages ===`);
  console.log(
    `route accuracy:    ${pct(report.routeAccuracy)}   intent: ${pct(report.intentAccuracy)}   service: ${pct(report.serviceAccuracy)}   (decided messages)`,
  );
  console.log(
    `clarification:     ${pct(report.clarificationRate)} (${report.overall.clarified}/${report.items}); gold route among the choices: ${pct(report.clarificationHelpful)}`,
  );
  console.log(`top guess, never asking: route ${pct(report.raw.route)}, intent ${pct(report.raw.intent)}, service ${pct(report.raw.service)}`);
  console.log(`language accuracy: ${pct(report.languageAccuracy)}`);
  console.log(
    `classification time per message: wall p50 ${report.p50Ms.toFixed(3)} ms, p99 ${report.p99Ms.toFixed(3)} ms; CPU p50 ${report.cpuP50Ms.toFixed(3)} ms, p99 ${report.cpuP99Ms.toFixed(3)} ms`,
  );
  console.log('\n  intent              recall              precision');
  for (const [intent, r] of Object.entries(report.perIntent)) console.log(`  ${intent.padEnd(20)}${tally(r.recall).padEnd(20)}${tally(r.precision)}`);
  console.log('\n  variety             route               intent              service             asked');
  for (const [v, g] of Object.entries(report.perVariety)) console.log(groupLine(v, g));
  console.log('\n  service             route               intent              service             asked');
  for (const [s, g] of Object.entries(report.perService).sort()) console.log(groupLine(s, g));
  console.log('\n  intent confusions (gold → predicted):');
  for (const c of report.confusions.slice(0, 12)) console.log(`    ${c.gold} → ${c.predicted}: ${c.count}`);
  if (report.confusions.length === 0) console.log('    none');
  console.log('  service confusions (gold → predicted):');
  for (const c of report.serviceConfusions.slice(0, 12)) console.log(`    ${c.gold} → ${c.predicted}: ${c.count}`);
  if (report.serviceConfusions.length === 0) console.log('    none');
  if (!errors) return;
  console.log('\n  misclassified:');
  for (const { item, got } of report.errors) {
    console.log(
      `    [${item.variety}] gold ${item.intent}/${item.service ?? '-'}/${item.language ?? '?'}  got ${got.intent}/${got.service ?? '-'}/${got.language} (${got.confidence.toFixed(2)})  ${item.text.replace(/\n/g, ' ⏎ ')}`,
    );
  }
  console.log('\n  clarified:');
  for (const { item, got } of report.clarified) {
    const alts = (got.alternatives ?? []).map((a) => `${a.intent}/${a.service ?? '-'} ${a.score.toFixed(2)}`).join(', ');
    console.log(`    [${item.variety}] gold ${item.intent}/${item.service ?? '-'}  alts ${alts}  ${item.text.replace(/\n/g, ' ⏎ ')}`);
  }
}

async function main(): Promise<void> {
  const errors = process.argv.includes('--errors');
  const folds = Number(arg('--folds') ?? 5);
  console.log('Tawasul NLU evaluation (a clarified message counts as neither right nor wrong)');
  if (folds > 1) {
    const t0 = performance.now();
    const cv = await crossValidate(folds);
    console.log(
      `\n=== 1. ${folds}-fold cross-validation over config/nlu/ (${cv.folds.reduce((s, f) => s + f.items, 0)} utterances, ${((performance.now() - t0) / 1000).toFixed(1)} s) ===`,
    );
    console.log(
      `mean:       route ${pct(cv.mean.route)}, intent ${pct(cv.mean.intent)}, service ${pct(cv.mean.service)}, clarification ${pct(cv.mean.clarification)}`,
    );
    console.log(
      `worst fold: route ${pct(cv.worst.route)}, intent ${pct(cv.worst.intent)}, service ${pct(cv.worst.service)}, clarification ${pct(cv.worst.clarification)}`,
    );
    if (errors) for (const [i, f] of cv.folds.entries()) printReport(`fold ${i + 1}`, f, true);
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'tawasul-eval-cache-'));
  const t0 = performance.now();
  await createClassifier({ cacheDir, shared: false });
  const trainMs = performance.now() - t0;
  const t1 = performance.now();
  const classifier = await createClassifier({ cacheDir, shared: false });
  console.log(`\ntraining on all of config/nlu/: ${(trainMs / 1000).toFixed(1)} s; start-up with the cached model: ${(performance.now() - t1).toFixed(0)} ms`);
  rmSync(cacheDir, { recursive: true, force: true });
  printReport(`2. labelled set (${basename(LABELLED_FILE)})`, await evaluate(classifier, loadLabelled(), { timingRounds: 11 }), errors);
  for (const file of devFiles())
    printReport(`development set (${basename(file)})`, await evaluate(classifier, loadLabelled(file), { timingRounds: 11 }), errors);
  if (process.argv.includes('--no-blind')) return;
  for (const file of blindFiles())
    printReport(`3. blind set (${basename(file)})`, await evaluate(classifier, loadLabelled(file), { timingRounds: 11 }), errors);
}

main().catch((err: unknown) => {
  console.error('evaluation failed:', err);
  process.exit(1);
});
