/** Admins: the escalation contacts of the roles (e-mail, SMS number), saved in the local configuration overlay. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api } from './api.js';
import type { RoleContact as Role } from './api-types.js';
import { nameOf, Panel, useApp } from './ui.js';

function ContactRow(p: { role: Role; onSaved: () => void }) {
  const ctx = useApp();
  const { t, lang } = ctx;
  const [email, setEmail] = useState(p.role.email ?? '');
  const [phone, setPhone] = useState(p.role.phone ?? '');
  const save = async (): Promise<void> => {
    try {
      await api('PUT', `/config/roles/${p.role.id}`, { email, phone });
      ctx.toast(t('saved').split(/[;؛]/)[0]!);
      p.onSaved();
    } catch (err) {
      ctx.toast((err as ApiError).field ? `${t('invalid')}: ${(err as ApiError).field}` : (err as ApiError).message, 'error');
    }
  };
  return (
    <tr data-role={p.role.id}>
      <td>{p.role.name[lang]}</td>
      <td>{p.role.department ? nameOf(ctx, 'department', p.role.department) : '—'}</td>
      <td>
        <input type="email" dir="ltr" value={email} onInput={(e) => setEmail(e.currentTarget.value)} aria-label={t('email')} />
      </td>
      <td>
        <input type="tel" dir="ltr" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} aria-label={t('phone')} placeholder="+968…" />
      </td>
      <td>
        <button type="button" class="primary" onClick={save}>
          {t('save')}
        </button>
      </td>
    </tr>
  );
}

/** The escalation contacts screen. */
export function ContactsScreen() {
  const { t } = useApp();
  const [roles, setRoles] = useState<Role[]>([]);
  const load = async (): Promise<void> => {
    setRoles((await api<{ roles: Role[] }>('GET', '/config/roles')).roles);
  };
  useEffect(() => {
    void load();
  }, []);
  return (
    <Panel title={t('contacts')}>
      <p class="muted">{t('contactsHint')}</p>
      <div class="table-wrap">
        <table class="contacts">
          <thead>
            <tr>
              <th>{t('role')}</th>
              <th>{t('department')}</th>
              <th>{t('email')}</th>
              <th>{t('phone')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <ContactRow key={`${r.id}-${r.email}-${r.phone}`} role={r} onSaved={() => void load()} />
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
