/** Admin screens: accounts (add, disable, enable, set a password) and the audit trail. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api } from './api.js';
import type { AccountRow, AuditEntry } from './api-types.js';
import { formatTime, type TextKey } from './i18n.js';
import { Field, Panel, useApp } from './ui.js';

const ROLES = ['agent', 'department', 'supervisor', 'admin'] as const;

/** The accounts screen. */
export function AccountsScreen() {
  const ctx = useApp();
  const { t, lang, ref } = ctx;
  const [accounts, setAccounts] = useState<AccountRow[]>([]);
  const [form, setForm] = useState<{ username: string; displayName: string; role: string; departments: string[]; password: string }>({
    username: '',
    displayName: '',
    role: 'agent',
    departments: [],
    password: '',
  });
  const [error, setError] = useState<ApiError | undefined>();
  const load = async (): Promise<void> => {
    setAccounts((await api<{ accounts: AccountRow[] }>('GET', '/accounts')).accounts);
  };
  useEffect(() => {
    void load();
  }, []);
  const run = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      setError(undefined);
      ctx.toast(t('saved').split(';')[0]!);
      await load();
    } catch (err) {
      setError(err as ApiError);
      ctx.toast((err as ApiError).message, 'error');
    }
  };
  const add = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      await api('POST', '/accounts', {
        ...form,
        displayName: form.displayName || form.username,
        departments: form.role === 'department' ? form.departments : [],
      });
      setForm({ username: '', displayName: '', role: 'agent', departments: [], password: '' });
    });
  };
  const err = (f: string): string | undefined => (error?.field === f ? error.message : undefined);
  return (
    <div class="accounts">
      <Panel title={t('accounts')}>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('username')}</th>
                <th>{t('displayName')}</th>
                <th>{t('role')}</th>
                <th>{t('departments')}</th>
                <th>{t('status')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr>
                  <td dir="ltr">{a.username}</td>
                  <td>{a.displayName}</td>
                  <td>{t(`r_${a.role}` as TextKey)}</td>
                  <td>{a.departments.map((d) => ref.departments.find((x) => x.id === d)?.name[lang] ?? d).join('، ')}</td>
                  <td>{a.disabled ? t('disabled') : t('active')}</td>
                  <td class="row">
                    <button type="button" onClick={() => run(() => api('POST', `/accounts/${a.username}/${a.disabled ? 'enable' : 'disable'}`))}>
                      {a.disabled ? t('enable') : t('disable')}
                    </button>
                    <button
                      type="button"
                      onClick={() => {
                        const p = prompt(t('newPassword'));
                        if (p) void run(() => api('POST', `/accounts/${a.username}/reset-password`, { password: p }));
                      }}
                    >
                      {t('resetPassword')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title={t('addAccount')}>
        <form class="grid-form" onSubmit={add}>
          <Field label={t('username')} for="acc-username" error={err('username')}>
            <input id="acc-username" dir="ltr" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} required />
          </Field>
          <Field label={t('displayName')} for="acc-name">
            <input id="acc-name" value={form.displayName} onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })} />
          </Field>
          <Field label={t('role')} for="acc-role">
            <select id="acc-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
              {ROLES.map((r) => (
                <option value={r}>{t(`r_${r}` as TextKey)}</option>
              ))}
            </select>
          </Field>
          {form.role === 'department' ? (
            <fieldset class="field">
              <legend>{t('departments')}</legend>
              {ref.departments.map((d) => (
                <label class="check">
                  <input
                    type="checkbox"
                    checked={form.departments.includes(d.id)}
                    onChange={(e) =>
                      setForm({ ...form, departments: e.currentTarget.checked ? [...form.departments, d.id] : form.departments.filter((x) => x !== d.id) })
                    }
                  />{' '}
                  {d.name[lang]}
                </label>
              ))}
              {err('departments') ? <small class="err">{err('departments')}</small> : null}
            </fieldset>
          ) : null}
          <Field label={t('password')} for="acc-password" error={err('password')}>
            <input
              id="acc-password"
              type="password"
              autoComplete="new-password"
              value={form.password}
              onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
              required
            />
          </Field>
          <button type="submit" class="primary">
            {t('addAccount')}
          </button>
        </form>
      </Panel>
    </div>
  );
}

/** The audit trail screen. */
export function AuditScreen() {
  const { t, lang } = useApp();
  const [rows, setRows] = useState<AuditEntry[]>([]);
  useEffect(() => {
    void api<{ audit: AuditEntry[] }>('GET', '/audit?limit=300').then((r) => setRows(r.audit));
  }, []);
  return (
    <Panel title={t('audit')}>
      <div class="table-wrap">
        <table class="audit">
          <thead>
            <tr>
              <th>{t('at')}</th>
              <th>{t('actor')}</th>
              <th>{t('action')}</th>
              <th>{t('subject')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{formatTime(lang, r.at)}</td>
                <td dir="ltr">{r.actor}</td>
                <td dir="ltr">{r.action}</td>
                <td dir="ltr">{r.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
