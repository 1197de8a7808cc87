/** The SLA dashboard for supervisors: chart.js charts of the `tawasul sla-report` figures, each with its CSV, and the live queue. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api, onLive, serverNow } from './api.js';
import type { LiveQueue, SlaReport } from './api-types.js';
import { nameOf, Panel, useApp } from './ui.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);
const COLORS = ['#0b6e4f', '#c9a227', '#b23a48', '#3a6ea5', '#7a5c99', '#5f6b6d'];

interface Series {
  label: string;
  data: Array<number | null>;
}

function ChartBox(p: { id: string; title: string; type: 'bar' | 'line'; labels: string[]; series: Series[]; csv: string; max?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { t, lang } = useApp();
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: p.type,
      data: {
        labels: p.labels,
        datasets: p.series.map((s, i) => ({
          label: s.label,
          data: s.data,
          backgroundColor: COLORS[i % COLORS.length],
          borderColor: COLORS[i % COLORS.length],
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: lang === 'ar' ? 'ar-OM' : 'en-GB',
        plugins: { legend: { rtl: lang === 'ar', display: p.series.length > 1 } },
        scales: { y: { beginAtZero: true, position: lang === 'ar' ? 'right' : 'left', ...(p.max ? { max: p.max } : {}) }, x: { reverse: lang === 'ar' } },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify([p.labels, p.series, lang])]);
  return (
    <Panel
      title={p.title}
      class="chart"
      actions={
        <a class="csv" id={`csv-${p.id}`} href={p.csv} download>
          {t('csv')}
        </a>
      }
    >
      <div class="canvas-box">
        <canvas ref={canvas} id={`chart-${p.id}`} role="img" aria-label={p.title} />
      </div>
    </Panel>
  );
}

const pct = (r: number | null): number | null => (r === null ? null : Math.round(r * 1000) / 10);
const today = (): string => new Date(serverNow() + 4 * 3_600_000).toISOString().slice(0, 10);

/** The dashboard screen. */
export function DashboardScreen() {
  const ctx = useApp();
  const { t } = ctx;
  const [range, setRange] = useState(() => {
    const to = today();
    return { from: `${to.slice(0, 8)}01`, to, bucket: 'day' };
  });
  const [report, setReport] = useState<SlaReport | undefined>();
  const [live, setLive] = useState<LiveQueue | undefined>();
  const [error, setError] = useState('');
  const q = `from=${range.from}&to=${range.to}&bucket=${range.bucket}`;
  const load = async (): Promise<void> => {
    try {
      setReport(await api<SlaReport>('GET', `/sla/report?${q}`));
      setLive(await api<LiveQueue>('GET', '/sla/live'));
      setError('');
    } catch (err) {
      setError((err as ApiError).message);
    }
  };
  useEffect(() => {
    void load();
  }, [q]);
  useEffect(
    () =>
      onLive((e) => {
        if (e.type !== 'ready') void api<LiveQueue>('GET', '/sla/live').then(setLive);
      }),
    [],
  );
  const csv = (chart: string): string => `/api/console/sla/report?${q}&chart=${chart}`;
  return (
    <div class="dashboard">
      <form
        class="filters panel"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label class="field">
          <span>{t('from')}</span>
          <input type="date" id="d-from" value={range.from} onInput={(e) => setRange({ ...range, from: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{t('to')}</span>
          <input type="date" id="d-to" value={range.to} onInput={(e) => setRange({ ...range, to: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{t('bucket')}</span>
          <select value={range.bucket} onChange={(e) => setRange({ ...range, bucket: e.currentTarget.value })}>
            <option value="day">{t('day')}</option>
            <option value="month">{t('month')}</option>
          </select>
        </label>
        <button type="submit" class="primary">
          {t('refresh')}
        </button>
      </form>
      {error ? (
        <p class="err" role="alert">
          {error}
        </p>
      ) : null}
      {live ? (
        <ChartBox
          id="live"
          title={t('liveQueue')}
          type="bar"
          csv="/api/console/sla/live?format=csv"
          labels={[t('waitingChats'), t('heldChats'), t('openRequests'), t('overdueRequests')]}
          series={[{ label: t('liveQueue'), data: [live.waiting, live.held, live.openRequests, live.overdueRequests] }]}
        />
      ) : null}
      {report ? (
        <>
          <ChartBox
            id="first-response-by-channel"
            title={t('frByChannel')}
            type="bar"
            max={100}
            csv={csv('first-response-by-channel')}
            labels={report.firstResponse.byChannel.map((m) => (m.account ? `${m.key} (@${m.account})` : m.key))}
            series={[{ label: t('met'), data: report.firstResponse.byChannel.map((m) => pct(m.metRate)) }]}
          />
          <ChartBox
            id="completion-by-service"
            title={t('bySevice')}
            type="bar"
            max={100}
            csv={csv('completion-by-service')}
            labels={report.requests.byService.map((m) => nameOf(ctx, 'service', m.key))}
            series={[{ label: t('onTime'), data: report.requests.byService.map((m) => pct(m.onTimeRate)) }]}
          />
          <ChartBox
            id="completion-by-department"
            title={t('byDepartment')}
            type="bar"
            max={100}
            csv={csv('completion-by-department')}
            labels={report.requests.byDepartment.map((m) => nameOf(ctx, 'department', m.key))}
            series={[{ label: t('onTime'), data: report.requests.byDepartment.map((m) => pct(m.onTimeRate)) }]}
          />
          <ChartBox
            id="requests-over-time"
            title={t('overTime')}
            type="line"
            csv={csv('requests-over-time')}
            labels={report.requests.byPeriod.map((m) => m.key)}
            series={[
              { label: t('overdue'), data: report.requests.byPeriod.map((m) => m.overdue) },
              { label: t('late'), data: report.requests.byPeriod.map((m) => m.closedLate) },
              { label: t('escalations'), data: report.requests.byPeriod.map((m) => m.escalated) },
            ]}
          />
        </>
      ) : null}
    </div>
  );
}
