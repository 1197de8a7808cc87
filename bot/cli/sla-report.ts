import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WorkingCalendar } from '../calendar/working-calendar.js';
import { buildSlaReport, type FirstResponseMetrics, type RequestMetrics, reportToCsv, type SlaReport } from '../sla/reports.js';
import { migrateCore } from '../store/schema.js';
import type { SlaFigures } from '../store/sla-store.js';
import { SqliteSlaFigures } from '../store/sqlite/sla-requests.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import type { Command } from './command.js';
import { loadCliConfig } from './due.js';

const pct = (r: number | null): string => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);

/** The report as a plain-text table. */
export function formatReport(r: SlaReport): string {
  const out = [`SLA report ${r.from} .. ${r.to} (${r.timeZone}), generated ${r.generatedAt}`, ''];
  const head = ['requests', 'filed', 'closed', 'on time', 'late', 'open', 'overdue', 'escalated', 'on-time %'];
  const row = (label: string, m: RequestMetrics): string[] =>
    [label, m.filed, m.closed, m.closedOnTime, m.closedLate, m.open, m.overdue, m.escalated, pct(m.onTimeRate)].map(String);
  const table = (rows: string[][]): void => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
    for (const x of rows) out.push(x.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
    out.push('');
  };
  table([
    head,
    row('total', r.requests.total),
    ...r.requests.byChannel.map((m) => row(`channel ${m.key}`, m)),
    ...r.requests.byService.map((m) => row(`service ${m.key}`, m)),
    ...r.requests.byDepartment.map((m) => row(`department ${m.key}`, m)),
    ...r.requests.byPeriod.map((m) => row(`period ${m.key}`, m)),
  ]);
  const frow = (label: string, m: FirstResponseMetrics): string[] =>
    [label, m.messages, m.met, m.missed, m.pending, pct(m.metRate), m.medianSeconds === null ? '-' : `${Math.round(m.medianSeconds)}s`].map(String);
  table([
    ['first response', 'messages', 'met', 'missed', 'pending', 'met %', 'median'],
    frow('total', r.firstResponse.total),
    ...r.firstResponse.byChannel.map((m) => frow(`channel ${m.key}${m.account ? ` (@${m.account})` : ''}`, m)),
    ...r.firstResponse.byPeriod.map((m) => frow(`period ${m.key}`, m)),
  ]);
  if (r.escalations.length) {
    out.push('escalations');
    for (const e of r.escalations) out.push(`  level ${e.level}  ${e.role}  ${e.count}`);
    out.push('');
  }
  return out.join('\n');
}

/** `tawasul sla-report --from DATE --to DATE [--csv|--json]`: the SLA report of the data directory's database, or of PostgreSQL when TAWASUL_DATABASE_URL is set. */
export const slaReportCommand: Command = {
  options: { from: { type: 'string' }, to: { type: 'string' }, csv: { type: 'boolean' }, json: { type: 'boolean' }, bucket: { type: 'string' } },
  async run(values) {
    const dataDir = resolve(String(values.data));
    const from = values.from;
    const to = values.to;
    const bucket = values.bucket ?? 'month';
    if (typeof from !== 'string' || typeof to !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || to < from) {
      process.stderr.write('tawasul sla-report: --from and --to must be YYYY-MM-DD dates, from ≤ to\n');
      return 2;
    }
    if (bucket !== 'day' && bucket !== 'month') {
      process.stderr.write('tawasul sla-report: --bucket must be day or month\n');
      return 2;
    }
    const print = async (figures: SlaFigures): Promise<void> => {
      const config = loadCliConfig(dataDir);
      const report = await buildSlaReport(figures, config, new WorkingCalendar(config.calendar), { from, to, bucket }, new Date());
      process.stdout.write(values.csv ? reportToCsv(report) : values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    };
    if (process.env.TAWASUL_DATABASE_URL) {
      // The SLA's tables on PostgreSQL (the data directory still gives the configuration overlay);
      // imported only then, so that the embedded path does not load the PostgreSQL driver.
      const { openPostgresStores } = await import('../store/postgres/stores.js');
      const stores = await openPostgresStores();
      try {
        await print(stores.sla.figures);
      } finally {
        await stores.close();
      }
      return 0;
    }
    const file = join(dataDir, 'tawasul.sqlite');
    if (!existsSync(file)) {
      process.stderr.write(`tawasul sla-report: no database at ${file} (use --data DIR)\n`);
      return 1;
    }
    const sql = new SqliteDatabase(file);
    try {
      await migrateCore(sql);
      await print(new SqliteSlaFigures(sql));
    } finally {
      sql.close();
    }
    return 0;
  },
};
