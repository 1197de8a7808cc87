/**
 * `npx tsx test/bench/profile-summary.ts FILE.cpuprofile [N]`: self time of a V8 CPU profile by
 * function and by package or source folder, the top N (30) of each; for a FILE.heapprofile (turn-cpu's
 * HEAP=DIR), the bytes allocated the same way, per message. Asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../bot/core/paths.js';

/** The checkout's URL prefix (sources run by tsx), stripped from frame URLs. */
const ROOT = `${pathToFileURL(projectRoot).href}/`;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}
const [file, n = '30'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: CpuNode[]; samples: number[]; timeDeltas: number[] } | { head: HeapNode; messages?: number };

/** Self cost (µs of CPU, or bytes allocated) by call frame. */
const costs: Array<[CallFrame, number]> = [];
if ('head' in prof) {
  const walk = (node: HeapNode): void => {
    costs.push([node.callFrame, node.selfSize]);
    for (const c of node.children) walk(c);
  };
  walk(prof.head);
} else {
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  for (const [i, id] of prof.samples.entries()) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  for (const [id, us] of self) costs.push([byId.get(id)!.callFrame, us]);
}

const place = (url: string): string => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const b = /bench-build\/(.*)\/[^/]+$/.exec(url);
  if (b) return b[1]!;
  if (url.startsWith(ROOT)) return url.slice(ROOT.length).replace(/\/[^/]+$/, '');
  return url.startsWith('node:') ? url : url ? 'other' : '(native/gc/idle)';
};
const fn = new Map<string, number>();
const where = new Map<string, number>();
for (const [f, cost] of costs) {
  const k = `${f.functionName || '(anon)'} ${f.url.replace(ROOT, '').replace(/.*(node_modules|bench-build)\//, '')}:${f.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + cost);
  where.set(place(f.url), (where.get(place(f.url)) ?? 0) + cost);
}
const total = costs.reduce((a, [, c]) => a + c, 0);
const heap = 'head' in prof;
const perMessage = heap && prof.messages ? prof.messages : 0;
const amount = (v: number): string =>
  heap
    ? perMessage
      ? `${(v / perMessage).toFixed(0).padStart(7)} B/msg`
      : `${(v / 1024).toFixed(0).padStart(8)} KiB`
    : `${(v / 1000).toFixed(0).padStart(6)} ms`;
const top = (m: Map<string, number>): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${amount(v)}  ${k}`)
    .join('\n');
process.stdout.write(`total ${amount(total)}\n\nby place:\n${top(where)}\n\nby function:\n${top(fn)}\n`);
