/**
 * `npx tsx test/bench/profile-summary.ts FILE.cpuprofile [N]`: self time of a V8 CPU profile by
 * function and by package or source folder, the top N (30) of each. Asserts nothing.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const [file, n = '30'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map<number, number>();
for (const [i, id] of prof.samples.entries()) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const where = new Map<string, number>();
const place = (url: string): string => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const b = /bench-build\/(.*)\/[^/]+$/.exec(url);
  if (b) return b[1]!;
  return url.startsWith('node:') ? url : url ? 'other' : '(native/gc/idle)';
};
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame;
  const k = `${f.functionName || '(anon)'} ${f.url.replace(/.*(node_modules|bench-build)\//, '')}:${f.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + us);
  where.set(place(f.url), (where.get(place(f.url)) ?? 0) + us);
}
const top = (m: Map<string, number>): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms\n\nby place:\n${top(where)}\n\nby function:\n${top(fn)}\n`);
