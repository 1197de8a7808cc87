/**
 * `npm run soak`: the reliability scenarios at full counts, printed as one table. Exits non-zero when
 * a message was lost or a turn or request duplicated. `npm run soak -- --small` runs the CI counts.
 */
import { concurrentConfirmations, type Row, webchatBurst, whatsappBurst } from './scenarios.js';

const small = process.argv.includes('--small');
const runs: Array<() => Promise<Row>> = small
  ? [
      () => webchatBurst({ conversations: 10, messages: 4, kills: 2 }),
      () => concurrentConfirmations({ residents: 16, kills: 1 }),
      () => whatsappBurst({ users: 24, kills: 2 }),
      () => whatsappBurst({ users: 24, kills: 2, statuses: true, seed: 5 }),
    ]
  : [
      () => webchatBurst({ conversations: 60, messages: 5, kills: 5, seed: 11 }),
      () => concurrentConfirmations({ residents: 60, kills: 1, seed: 21 }),
      () => concurrentConfirmations({ residents: 60, kills: 1, seed: 22 }),
      () => concurrentConfirmations({ residents: 60, kills: 3, seed: 23 }),
      () => whatsappBurst({ users: 300, kills: 5, seed: 31 }),
      () => whatsappBurst({ users: 300, kills: 5, statuses: true, seed: 31 }),
    ];

const rows: Row[] = [];
let failed = 0;
for (const run of runs) {
  try {
    const row = await run();
    rows.push(row);
    process.stderr.write(`done: ${row.scenario}\n`);
  } catch (err) {
    failed++;
    process.stderr.write(`scenario failed: ${(err as Error).message}\n`);
  }
}

const head = ['scenario', 'sent', 'answered', 'lost', 'duplicated', 'refused', 'kills', 'retried', 'notes'];
const lines = rows.map((r) =>
  [
    r.scenario,
    r.sent,
    r.answered,
    r.lost,
    r.duplicated,
    r.refused,
    r.kills,
    r.retried,
    Object.entries(r.notes)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; '),
  ].map(String),
);
const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]): string => `| ${cells.map((c, i) => (i > 0 && i < 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
console.log(fmt(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const l of lines) console.log(fmt(l));
const bad = failed > 0 || rows.some((r) => r.lost > 0 || r.duplicated > 0);
process.exit(bad ? 1 : 0);
