/** A request's page for department heads and supervisors: the full record, its SLA clock and escalation levels, history and actions. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, onLive } from './api.js';
import type { RequestDetail } from './api-types.js';
import { formatTime } from './i18n.js';
import { nameOf, Panel, StatusPill, useApp } from './ui.js';

/** A request's page. */
export function RequestPage(p: { reference: string }) {
  const ctx = useApp();
  const { t, lang, me } = ctx;
  const [d, setD] = useState<RequestDetail | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [form, setForm] = useState<Record<string, string>>({});
  const load = async (): Promise<void> => {
    try {
      setD(await api<RequestDetail>('GET', `/requests/${encodeURIComponent(p.reference)}`));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  useEffect(() => {
    void load();
    return onLive((e) => {
      if (e.type === 'request' && e.data.reference === p.reference) void load();
    });
  }, [p.reference]);
  if (error)
    return (
      <Panel title={p.reference}>
        <p class="err" role="alert" id="request-error">
          {error.reason === 'other_department' ? t('otherDepartment') : error.status === 403 ? t('forbidden') : error.message}
        </p>
        <a href="#/requests">{t('back')}</a>
      </Panel>
    );
  if (!d) return <div aria-busy="true" />;
  const r = d.request;
  const act = async (action: string, extra: Record<string, string> = {}): Promise<void> => {
    try {
      await api('POST', `/requests/${r.reference}/actions`, { action, ...extra });
      ctx.toast(t('saved'));
      setForm({});
      await load();
    } catch (err) {
      ctx.toast((err as ApiError).message, 'error');
    }
  };
  const canAct = me.role === 'department' || me.role === 'supervisor';
  return (
    <div class="request-page">
      <a href="#/requests" class="back">
        {t('back')}
      </a>
      <Panel title={`${r.reference} — ${nameOf(ctx, 'service', r.serviceId)}`} actions={<StatusPill status={r.status} />}>
        <dl class="record">
          <dt>{t('department')}</dt>
          <dd>{nameOf(ctx, 'department', r.department)}</dd>
          <dt>{t('applicant')}</dt>
          <dd>{r.applicant.name}</dd>
          <dt>{t('civilId')}</dt>
          <dd dir="ltr" id="civil-id">
            {r.applicant.civilId}
          </dd>
          <dt>{t('phone')}</dt>
          <dd dir="ltr">{r.applicant.phone}</dd>
          {r.applicant.email ? (
            <>
              <dt>{t('email')}</dt>
              <dd dir="ltr">{r.applicant.email}</dd>
            </>
          ) : null}
          {r.applicant.address ? (
            <>
              <dt>{t('location')}</dt>
              <dd>{r.applicant.address}</dd>
            </>
          ) : null}
          {r.location ? (
            <>
              <dt>{t('location')}</dt>
              <dd dir="ltr">
                {r.location.latitude}, {r.location.longitude}
              </dd>
            </>
          ) : null}
          <dt>{t('description')}</dt>
          <dd dir="auto">{r.description}</dd>
          <dt>{t('channel')}</dt>
          <dd>{r.channel}</dd>
          <dt>{t('filedAt')}</dt>
          <dd>{formatTime(lang, r.filedAt)}</dd>
          <dt>{t('assignee')}</dt>
          <dd>{r.assignee ?? '—'}</dd>
        </dl>
      </Panel>
      <Panel title={t('slaClock')} class="sla-clock">
        <p>
          <b>{t('dueAt')}:</b> {formatTime(lang, d.sla.dueAt)} — <b>{d.sla.workingDaysLeft}</b> {t('workingDaysLeft')}{' '}
          {d.sla.overdue ? <span class="pill late">{t('overdue')}</span> : null}
        </p>
        <h3>{t('escalationLevels')}</h3>
        <ul>
          {d.sla.timers
            .filter((x) => x.kind === 'escalation')
            .map((x) => (
              <li>
                {t('level')} {x.level} · {nameOf(ctx, 'role', x.role)} ·{' '}
                {x.firedAt ? (
                  <span class="pill warn">
                    {t('fired')} {formatTime(lang, x.firedAt)}
                  </span>
                ) : (
                  <span class="pill">
                    {t('pending')} {formatTime(lang, x.fireAt)}
                  </span>
                )}
              </li>
            ))}
        </ul>
      </Panel>
      <Panel title={t('attachments')}>
        {r.attachments.length === 0 ? (
          <p class="muted">{t('none')}</p>
        ) : (
          <ul>
            {r.attachments.map((a) => (
              <li>
                {a.kind} {a.fileName ?? a.ref}
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <Panel title={t('history')}>
        <ol class="history">
          {r.history.map((h) => (
            <li>
              <span class="meta">
                {formatTime(lang, h.at)} · {h.actor}
              </span>{' '}
              {h.status ? <StatusPill status={h.status} /> : null} {h.note ?? ''}
            </li>
          ))}
        </ol>
      </Panel>
      {canAct ? (
        <Panel title={t('actions')} class="actions">
          <div class="row">
            <button type="button" class="primary" id="act-accept" onClick={() => act('accept')}>
              {t('accept')}
            </button>
            <button type="button" id="act-progress" onClick={() => act('in_progress')}>
              {t('inProgress')}
            </button>
            <button type="button" id="act-hold" onClick={() => act('on_hold')}>
              {t('onHold')}
            </button>
            <button type="button" id="act-done" onClick={() => act('done')}>
              {t('done')}
            </button>
          </div>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act('reject', { reason: form.reason ?? '' });
            }}
          >
            <input
              id="reason"
              placeholder={t('reason')}
              value={form.reason ?? ''}
              onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })}
              required
              minLength={3}
            />
            <button type="submit" class="danger" id="act-reject">
              {t('reject')}
            </button>
          </form>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act('note', { note: form.note ?? '' });
            }}
          >
            <input
              id="act-note-text"
              placeholder={t('note')}
              value={form.note ?? ''}
              onInput={(e) => setForm({ ...form, note: e.currentTarget.value })}
              required
            />
            <button type="submit">{t('note')}</button>
          </form>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act('assign', { assignee: form.assignee ?? '' });
            }}
          >
            <input placeholder={t('assignee')} value={form.assignee ?? ''} onInput={(e) => setForm({ ...form, assignee: e.currentTarget.value })} required />
            <button type="submit">{t('assign')}</button>
          </form>
        </Panel>
      ) : null}
    </div>
  );
}
