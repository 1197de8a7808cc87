/** Department heads' requests: the queue with filters and search (a request's page is request-page.tsx). */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, onLive } from './api.js';
import type { RequestSummary } from './api-types.js';
import { formatTime, type TextKey } from './i18n.js';
import { Field, nameOf, Panel, StatusPill, useApp } from './ui.js';

const STATUSES = ['filed', 'in_progress', 'on_hold', 'closed', 'rejected'];

interface RequestList {
  total: number;
  requests: RequestSummary[];
}

/** The queue. */
export function RequestsScreen() {
  const ctx = useApp();
  const { t, lang, ref, me } = ctx;
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [data, setData] = useState<RequestList | undefined>();
  const [error, setError] = useState('');
  const load = async (f = filters): Promise<void> => {
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    try {
      setData(await api<RequestList>('GET', `/requests?${q}`));
      setError('');
    } catch (err) {
      setError((err as ApiError).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  useEffect(
    () =>
      onLive((e) => {
        if (e.type === 'request') void load();
      }),
    [filters],
  );
  const set =
    (k: string) =>
    (e: Event): void => {
      const el = e.currentTarget as HTMLInputElement;
      setFilters({ ...filters, [k]: el.type === 'checkbox' ? (el.checked ? 'true' : '') : el.value });
    };
  const services = ref.services.filter((s) => me.role !== 'department' || me.departments.includes(s.department));
  return (
    <Panel title={t('requests')} class="requests">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <Field label={t('search')} for="q">
          <input id="q" value={filters.q ?? ''} onInput={set('q')} dir="ltr" placeholder="BUR-2026-00042" />
        </Field>
        <Field label={t('service')} for="f-service">
          <select id="f-service" value={filters.service ?? ''} onChange={set('service')}>
            <option value="">{t('all')}</option>
            {services.map((s) => (
              <option value={s.id}>{s.name[lang]}</option>
            ))}
          </select>
        </Field>
        <Field label={t('status')} for="f-status">
          <select id="f-status" value={filters.status ?? ''} onChange={set('status')}>
            <option value="">{t('all')}</option>
            {STATUSES.map((s) => (
              <option value={s}>{t(`s_${s}` as TextKey)}</option>
            ))}
          </select>
        </Field>
        <Field label={t('channel')} for="f-channel">
          <select id="f-channel" value={filters.channel ?? ''} onChange={set('channel')}>
            <option value="">{t('all')}</option>
            {[...ref.channels, 'phone'].map((c) => (
              <option value={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label={t('from')} for="f-from">
          <input type="date" id="f-from" value={filters.from ?? ''} onInput={set('from')} />
        </Field>
        <Field label={t('to')} for="f-to">
          <input type="date" id="f-to" value={filters.to ?? ''} onInput={set('to')} />
        </Field>
        <label class="check">
          <input type="checkbox" id="f-overdue" checked={filters.overdue === 'true'} onChange={set('overdue')} /> {t('overdue')}
        </label>
        <label class="check">
          <input type="checkbox" id="f-escalated" checked={filters.escalated === 'true'} onChange={set('escalated')} /> {t('escalated')}
        </label>
        <button type="submit" class="primary" id="filter">
          {t('filter')}
        </button>
        <button
          type="button"
          onClick={() => {
            setFilters({});
            void load({});
          }}
        >
          {t('clear')}
        </button>
      </form>
      {error ? (
        <p class="err" role="alert">
          {error}
        </p>
      ) : null}
      {data && data.requests.length === 0 ? <p class="muted">{t('noRequests')}</p> : null}
      {data && data.requests.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('reference')}</th>
                <th>{t('service')}</th>
                <th>{t('status')}</th>
                <th>{t('applicant')}</th>
                <th>{t('filedAt')}</th>
                <th>{t('dueAt')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.requests.map((r) => (
                <tr class={r.overdue ? 'overdue' : ''}>
                  <td>
                    <a href={`#/requests/${r.reference}`} dir="ltr">
                      {r.reference}
                    </a>
                  </td>
                  <td>{nameOf(ctx, 'service', r.serviceId)}</td>
                  <td>
                    <StatusPill status={r.status} />
                  </td>
                  <td>
                    {r.applicant.name}{' '}
                    <span dir="ltr" class="masked">
                      {r.applicant.phone}
                    </span>
                  </td>
                  <td>{formatTime(lang, r.filedAt)}</td>
                  <td>{formatTime(lang, r.dueAt)}</td>
                  <td>
                    {r.overdue ? <span class="pill late">{t('overdue')}</span> : null}
                    {r.escalationLevel ? (
                      <span class="pill warn">
                        {t('escalated')} {r.escalationLevel}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? (
        <p class="muted">
          {t('total')}: {data.total}
        </p>
      ) : null}
    </Panel>
  );
}
