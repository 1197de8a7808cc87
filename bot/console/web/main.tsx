/** The staff console: sign-in, then the screens each role may use; Arabic right-to-left by default. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AccountsScreen, AuditScreen } from './accounts.js';
import { ApiError, api, connectLive, disconnectLive, liveState, onSignedOut, setCsrf } from './api.js';
import { CalendarScreen } from './calendar.js';
import { ContactsScreen } from './contacts.js';
import { DashboardScreen } from './dashboard.js';
import { formatTime, type Lang, type TextKey } from './i18n.js';
import { InboxScreen } from './inbox.js';
import { NotificationsBell } from './notifications.js';
import { RequestPage } from './request-page.js';
import { RequestsScreen } from './requests.js';
import { type AppContext, Ctx, Field, type Me, type RefData, textsOf } from './ui.js';

const SCREENS: Record<Me['role'], Array<{ path: string; key: TextKey }>> = {
  agent: [
    { path: 'inbox', key: 'inbox' },
    { path: 'requests', key: 'requests' },
  ],
  department: [{ path: 'requests', key: 'requests' }],
  supervisor: [
    { path: 'inbox', key: 'inbox' },
    { path: 'requests', key: 'requests' },
    { path: 'dashboard', key: 'dashboard' },
  ],
  admin: [
    { path: 'dashboard', key: 'dashboard' },
    { path: 'calendar', key: 'calendar' },
    { path: 'contacts', key: 'contacts' },
    { path: 'accounts', key: 'accounts' },
    { path: 'audit', key: 'audit' },
  ],
};

const initialLang = (): Lang => {
  const saved = localStorage.getItem('tawasul.console.lang');
  if (saved === 'ar' || saved === 'en') return saved;
  return location.pathname.startsWith('/console/en') ? 'en' : 'ar';
};

function SignIn(p: { lang: Lang; setLang: (l: Lang) => void; onIn: (me: Me) => void; notice?: string | undefined }) {
  const t = textsOf(p.lang);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(p.notice ?? '');
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const r = await api<{ account: Me; csrfToken: string }>('POST', '/session', { username, password });
      setCsrf(r.csrfToken);
      p.onIn(r.account);
    } catch (err) {
      const a = err as ApiError;
      setError(
        a.reason === 'locked' ? `${t('locked')} ${formatTime(p.lang, a.detail.lockedUntil)}` : a.reason === 'bad_credentials' ? t('badCredentials') : a.message,
      );
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} class="panel" aria-labelledby="signin-title">
        <h1 id="signin-title">{t('appName')}</h1>
        <Field label={t('username')} for="username">
          <input id="username" name="username" autoComplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
        </Field>
        <Field label={t('password')} for="password">
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </Field>
        {error ? (
          <p class="err" role="alert">
            {error}
          </p>
        ) : null}
        <div class="row">
          <button type="submit" class="primary" id="signin">
            {t('signIn')}
          </button>
          <button type="button" class="link" onClick={() => p.setLang(p.lang === 'ar' ? 'en' : 'ar')}>
            {t('language')}
          </button>
        </div>
      </form>
    </main>
  );
}

function App() {
  const [lang, setLangState] = useState<Lang>(initialLang());
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [ref, setRef] = useState<RefData | undefined>();
  const [hash, setHash] = useState(location.hash.slice(2));
  const [online, setOnline] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [toasts, setToasts] = useState<Array<{ id: number; text: string; kind: string }>>([]);
  const t = textsOf(lang);
  const setLang = (l: Lang): void => {
    localStorage.setItem('tawasul.console.lang', l);
    setLangState(l);
  };

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
    document.title = t('appName');
  }, [lang]);
  useEffect(() => {
    onSignedOut.handler = (reason) => {
      setNotice(reason === 'session_expired' ? textsOf(lang)('expired') : undefined);
      setMe(null);
    };
    api<{ account: Me; csrfToken: string }>('GET', '/session')
      .then((r) => {
        setCsrf(r.csrfToken);
        setMe(r.account);
      })
      .catch(() => setMe(null));
    const onHash = (): void => setHash(location.hash.slice(2));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (!me) return;
    api<RefData>('GET', '/services')
      .then(setRef)
      .catch(() => undefined);
    liveState.onChange = setOnline;
    connectLive();
    return () => disconnectLive();
  }, [me?.username]);

  if (me === undefined) return <main class="loading" aria-busy="true" />;
  if (me === null || !ref)
    return me === null ? (
      <SignIn
        lang={lang}
        setLang={setLang}
        notice={notice}
        onIn={(m) => {
          setNotice(undefined);
          setMe(m);
        }}
      />
    ) : (
      <main class="loading" aria-busy="true" />
    );

  const screens = SCREENS[me.role];
  const [screen, ...rest] = hash.split('/');
  const current = screens.some((s) => s.path === screen) ? screen! : screens[0]!.path;
  const ctx: AppContext = {
    lang,
    t,
    me,
    ref,
    navigate: (h) => {
      location.hash = `#/${h}`;
    },
    toast: (text, kind = 'ok') => {
      const id = Math.random();
      setToasts((x) => [...x, { id, text, kind }]);
      setTimeout(() => setToasts((x) => x.filter((y) => y.id !== id)), 6000);
    },
  };
  const signOut = async (): Promise<void> => {
    await api('DELETE', '/session').catch(() => undefined);
    disconnectLive();
    setMe(null);
  };
  return (
    <Ctx.Provider value={ctx}>
      <header class="topbar">
        <strong class="brand">{t('appName')}</strong>
        <nav aria-label="main">
          {screens.map((s) => (
            <a href={`#/${s.path}`} class={s.path === current ? 'active' : ''} id={`nav-${s.path}`}>
              {t(s.key)}
            </a>
          ))}
        </nav>
        <span class={`live ${online ? 'on' : 'off'}`} title={online ? t('live') : t('offline')}>
          {online ? t('live') : t('offline')}
        </span>
        {me.role !== 'agent' ? <NotificationsBell /> : null}
        <span class="who">
          {me.displayName} · {t(`r_${me.role}` as TextKey)}
        </span>
        <button type="button" class="link" id="lang" onClick={() => setLang(lang === 'ar' ? 'en' : 'ar')}>
          {t('language')}
        </button>
        <button type="button" class="link" id="signout" onClick={signOut}>
          {t('signOut')}
        </button>
      </header>
      <main class={`screen screen-${current}`}>
        {current === 'inbox' ? <InboxScreen /> : null}
        {current === 'requests' ? rest[0] ? <RequestPage reference={decodeURIComponent(rest[0])} /> : <RequestsScreen /> : null}
        {current === 'dashboard' ? <DashboardScreen /> : null}
        {current === 'calendar' ? <CalendarScreen /> : null}
        {current === 'contacts' ? <ContactsScreen /> : null}
        {current === 'accounts' ? <AccountsScreen /> : null}
        {current === 'audit' ? <AuditScreen /> : null}
      </main>
      <div class="toasts" aria-live="polite">
        {toasts.map((x) => (
          <div class={`toast ${x.kind}`}>{x.text}</div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

// A background refresh refused by the API (expired session, lost access) is handled by the screens' own state.
addEventListener('unhandledrejection', (e) => {
  if (e.reason instanceof ApiError) e.preventDefault();
});
render(<App />, document.getElementById('app')!);
