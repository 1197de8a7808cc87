/**
 * SLA compliance reports over a period of local dates (inclusive): requests filed in the period by
 * channel, service, department and period bucket (closed on time, closed late, overdue, escalated),
 * and first responses by channel/account and bucket (met, missed, pending). Rendered as JSON or CSV.
 */
import type { TawasulConfig } from '../../config/schema.js';
import { addDays, formatLocalIso, instantAt } from '../calendar/dates.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import type { ResponseFact, SlaFigures } from '../store/sla-store.js';

/** Request counts of one group. */
export interface RequestMetrics {
  key: string;
  filed: number;
  closed: number;
  closedOnTime: number;
  closedLate: number;
  open: number;
  overdue: number;
  escalated: number;
  /** Closed on time over everything whose deadline is settled (closed, or open and overdue); null when none. */
  onTimeRate: number | null;
}

/** First-response counts of one group. */
export interface FirstResponseMetrics {
  key: string;
  /** The account handle of the channel (X accounts), without "@". */
  account?: string;
  messages: number;
  met: number;
  missed: number;
  pending: number;
  metRate: number | null;
  /** Median seconds from receipt to first reply (answered messages). */
  medianSeconds: number | null;
}

/** The SLA report. */
export interface SlaReport {
  from: string;
  to: string;
  timeZone: string;
  generatedAt: string;
  bucket: 'day' | 'month';
  requests: { total: RequestMetrics; byChannel: RequestMetrics[]; byService: RequestMetrics[]; byDepartment: RequestMetrics[]; byPeriod: RequestMetrics[] };
  firstResponse: { total: FirstResponseMetrics; byChannel: FirstResponseMetrics[]; byPeriod: FirstResponseMetrics[] };
  escalations: Array<{ level: number; role: string; count: number }>;
}

/** What to report on. */
export interface ReportQuery {
  from: string;
  to: string;
  bucket?: 'day' | 'month';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const rate = (num: number, den: number): number | null => (den === 0 ? null : Math.round((num / den) * 10_000) / 10_000);

function emptyRequests(key: string): RequestMetrics {
  return { key, filed: 0, closed: 0, closedOnTime: 0, closedLate: 0, open: 0, overdue: 0, escalated: 0, onTimeRate: null };
}

/** Builds the report for `q` as of `now` (the figures are streamed: memory holds the groups, not the rows). */
export async function buildSlaReport(figures: SlaFigures, config: TawasulConfig, calendar: WorkingCalendar, q: ReportQuery, now: Date): Promise<SlaReport> {
  if (!ISO_DATE.test(q.from) || !ISO_DATE.test(q.to) || q.to < q.from) throw new RangeError('from and to must be YYYY-MM-DD dates, from ≤ to');
  const tz = calendar.timeZone;
  const start = instantAt(q.from, 0, tz).getTime();
  const end = instantAt(addDays(q.to, 1), 0, tz).getTime();
  const bucket = q.bucket ?? 'month';
  const bucketOf = (t: number): string => {
    const d = calendar.localDate(new Date(t));
    return bucket === 'day' ? d : d.slice(0, 7);
  };
  const t = now.getTime();

  const groups = {
    byChannel: new Map<string, RequestMetrics>(),
    byService: new Map<string, RequestMetrics>(),
    byDepartment: new Map<string, RequestMetrics>(),
    byPeriod: new Map<string, RequestMetrics>(),
  };
  const total = emptyRequests('total');
  for await (const r of figures.requestsFiled(start, end)) {
    const targets = [
      total,
      ...(
        [
          ['byChannel', r.channel],
          ['byService', r.serviceId],
          ['byDepartment', r.department],
          ['byPeriod', bucketOf(r.filedAt)],
        ] as const
      ).map(([g, key]) => {
        let m = groups[g].get(key);
        if (!m) {
          m = emptyRequests(key);
          groups[g].set(key, m);
        }
        return m;
      }),
    ];
    for (const m of targets) {
      m.filed++;
      if (r.escalated) m.escalated++;
      if (r.closedAt !== null) {
        m.closed++;
        if (r.closedAt <= r.dueAt) m.closedOnTime++;
        else m.closedLate++;
      } else if (r.dueAt < t) m.overdue++;
      else m.open++;
    }
  }
  const finish = (m: RequestMetrics): RequestMetrics => ({ ...m, onTimeRate: rate(m.closedOnTime, m.closed + m.overdue) });
  const sorted = (m: Map<string, RequestMetrics>): RequestMetrics[] => [...m.values()].sort((a, b) => a.key.localeCompare(b.key)).map(finish);

  const accounts = new Map(config.channels.map((c) => [c.id, typeof c.options.handle === 'string' ? c.options.handle : undefined]));
  const fr = { byChannel: new Map<string, ResponseFact[]>(), byPeriod: new Map<string, ResponseFact[]>() };
  const all: ResponseFact[] = [];
  for await (const r of figures.responses(start, end)) {
    all.push(r);
    for (const [g, key] of [
      ['byChannel', r.channel],
      ['byPeriod', bucketOf(r.receivedAt)],
    ] as const) {
      const list = fr[g].get(key) ?? [];
      list.push(r);
      fr[g].set(key, list);
    }
  }
  const summarize = (key: string, list: ResponseFact[], account?: string): FirstResponseMetrics => {
    let met = 0,
      missed = 0,
      pending = 0;
    const durations: number[] = [];
    for (const r of list) {
      if (r.respondedAt !== null) {
        durations.push((r.respondedAt - r.receivedAt) / 1000);
        if (r.respondedAt <= r.deadlineAt) met++;
        else missed++;
      } else if (r.deadlineAt < t) missed++;
      else pending++;
    }
    durations.sort((a, b) => a - b);
    const median = durations.length ? durations[Math.floor((durations.length - 1) / 2)]! : null;
    return { key, ...(account ? { account } : {}), messages: list.length, met, missed, pending, metRate: rate(met, met + missed), medianSeconds: median };
  };

  const escalations: SlaReport['escalations'] = await figures.escalationsFired(start, end);

  return {
    from: q.from,
    to: q.to,
    timeZone: tz,
    generatedAt: formatLocalIso(now, tz),
    bucket,
    requests: {
      total: finish(total),
      byChannel: sorted(groups.byChannel),
      byService: sorted(groups.byService),
      byDepartment: sorted(groups.byDepartment),
      byPeriod: sorted(groups.byPeriod),
    },
    firstResponse: {
      total: summarize('total', all),
      byChannel: [...fr.byChannel.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, l]) => summarize(k, l, accounts.get(k))),
      byPeriod: [...fr.byPeriod.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, l]) => summarize(k, l)),
    },
    escalations,
  };
}

const CSV_COLUMNS = [
  'section',
  'group',
  'key',
  'account',
  'filed',
  'closed',
  'closed_on_time',
  'closed_late',
  'open',
  'overdue',
  'escalated',
  'on_time_rate',
  'messages',
  'met',
  'missed',
  'pending',
  'met_rate',
  'median_seconds',
] as const;

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote when needed; neutralise spreadsheet formulas.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV: one line per group, request and first-response sections side by side in columns. */
export function reportToCsv(report: SlaReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  const req = (group: string, m: RequestMetrics): void => {
    lines.push(
      ['requests', group, m.key, '', m.filed, m.closed, m.closedOnTime, m.closedLate, m.open, m.overdue, m.escalated, m.onTimeRate, '', '', '', '', '', '']
        .map(cell)
        .join(','),
    );
  };
  const fr = (group: string, m: FirstResponseMetrics): void => {
    lines.push(
      ['first_response', group, m.key, m.account ?? '', '', '', '', '', '', '', '', '', m.messages, m.met, m.missed, m.pending, m.metRate, m.medianSeconds]
        .map(cell)
        .join(','),
    );
  };
  req('total', report.requests.total);
  for (const g of ['byChannel', 'byService', 'byDepartment', 'byPeriod'] as const) for (const m of report.requests[g]) req(g.slice(2).toLowerCase(), m);
  fr('total', report.firstResponse.total);
  for (const g of ['byChannel', 'byPeriod'] as const) for (const m of report.firstResponse[g]) fr(g.slice(2).toLowerCase(), m);
  return `${lines.join('\r\n')}\r\n`;
}
