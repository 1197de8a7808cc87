/** System notifications (escalations) with an unread badge, updated live. */
import { useEffect, useState } from 'preact/hooks';
import { api, onLive } from './api.js';
import type { SystemNotification } from './api-types.js';
import { formatTime } from './i18n.js';
import { useApp } from './ui.js';

interface NotificationList {
  unread: number;
  notifications: SystemNotification[];
}

/** The bell in the top bar. */
export function NotificationsBell() {
  const ctx = useApp();
  const { t, lang } = ctx;
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<NotificationList>({ unread: 0, notifications: [] });
  const load = async (): Promise<void> => {
    setData(await api<NotificationList>('GET', '/notifications?limit=30'));
  };
  useEffect(() => {
    void load();
    return onLive((e) => {
      if (e.type !== 'notification') return;
      ctx.toast(`${t('newEscalation')}: ${e.data.reference ?? ''} — ${e.data.title}`);
      void load();
    });
  }, []);
  return (
    <div class="bell">
      <button type="button" class="link" id="bell" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('notifications')}{' '}
        {data.unread > 0 ? (
          <span class="badge" id="badge">
            {data.unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div class="dropdown panel" role="dialog" aria-label={t('notifications')}>
          {data.notifications.length === 0 ? (
            <p class="muted">{t('noNotifications')}</p>
          ) : (
            <ul>
              {data.notifications.map((n) => (
                <li class={n.readAt ? 'read' : 'unread'}>
                  <a href={n.reference ? `#/requests/${n.reference}` : '#/requests'} onClick={() => setOpen(false)}>
                    {n.title}
                  </a>
                  <span class="meta">{formatTime(lang, n.createdAt)}</span>
                  {!n.readAt ? (
                    <button
                      type="button"
                      class="link"
                      onClick={async () => {
                        await api('POST', `/notifications/${n.id}/read`);
                        await load();
                      }}
                    >
                      {t('markRead')}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
