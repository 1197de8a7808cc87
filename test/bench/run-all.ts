/**
 * `npm run bench [-- NAME…]`: runs the benchmarks in sequence; each prints its own lines.
 * Add a benchmark by adding one entry to BENCHES (a module exporting `run(): Promise<void>`).
 */
const BENCHES: Array<[string, () => Promise<{ run(): Promise<void> }>]> = [
  ['webchat', () => import('./webchat.bench.js')],
  ['escalation-sweep', () => import('./escalation-sweep.bench.js')],
  ['hostile', () => import('./hostile.bench.js')],
];

const wanted = process.argv.slice(2);
for (const [name, load] of BENCHES) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  await (await load()).run();
}
