/** The holiday calendar for admins: Hijri holidays seeded, confirmed or moved after the moon sighting; open requests are recomputed. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, serverNow } from './api.js';
import type { CalendarChange, Holiday } from './api-types.js';
import type { TextKey } from './i18n.js';
import { Panel, useApp } from './ui.js';

interface HolidayTable {
  holidays: Holiday[];
  changes: CalendarChange[];
}

function HolidayRow(p: { h: Holiday; canEdit: boolean; onSave: (body: Record<string, unknown>) => Promise<void> }) {
  const { t, lang } = useApp();
  const [from, setFrom] = useState(p.h.from);
  const [to, setTo] = useState(p.h.to);
  return (
    <tr data-holiday={p.h.id}>
      <td>{p.h.name[lang]}</td>
      <td>{p.canEdit ? <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} aria-label={t('from')} /> : p.h.from}</td>
      <td>{p.canEdit ? <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} aria-label={t('to')} /> : p.h.to}</td>
      <td>
        <span class={`pill h-${p.h.status}`}>{t(p.h.status as TextKey)}</span>
      </td>
      <td>
        {p.canEdit ? (
          <div class="row">
            <button type="button" class="primary" onClick={() => p.onSave({ id: p.h.id, from, to, status: 'confirmed', name: p.h.name })}>
              {from === p.h.from && to === p.h.to ? t('confirm') : t('move')}
            </button>
            <button type="button" onClick={() => p.onSave({ id: p.h.id, from: p.h.from, to: p.h.to, status: 'cancelled', name: p.h.name })}>
              {t('cancel')}
            </button>
          </div>
        ) : null}
      </td>
    </tr>
  );
}

/** The calendar screen. */
export function CalendarScreen() {
  const ctx = useApp();
  const { t, me } = ctx;
  const [year, setYear] = useState(new Date(serverNow()).getUTCFullYear());
  const [data, setData] = useState<HolidayTable | undefined>();
  const load = async (): Promise<void> => {
    setData(await api<HolidayTable>('GET', `/calendar/holidays?year=${year}`));
  };
  useEffect(() => {
    void load();
  }, [year]);
  const save = async (body: Record<string, unknown>): Promise<void> => {
    try {
      const r = await api<{ change: CalendarChange }>('POST', '/calendar/holidays', body);
      ctx.toast(`${t('recomputed')} ${r.change.requestsRecomputed}`);
      await load();
    } catch (err) {
      ctx.toast((err as ApiError).message, 'error');
    }
  };
  return (
    <Panel
      title={t('calendar')}
      actions={
        <label class="field inline">
          <span>{t('year')}</span>
          <select id="year" value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
            {[-1, 0, 1, 2].map((d) => {
              const y = new Date(serverNow()).getUTCFullYear() + d;
              return <option value={y}>{y}</option>;
            })}
          </select>
        </label>
      }
    >
      <div class="table-wrap">
        <table class="holidays">
          <thead>
            <tr>
              <th>{t('holiday')}</th>
              <th>{t('from')}</th>
              <th>{t('to')}</th>
              <th>{t('status')}</th>
              <th>{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.holidays.map((h) => (
              <HolidayRow key={`${h.id}-${h.from}-${h.to}-${h.status}`} h={h} canEdit={me.role === 'admin'} onSave={save} />
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
