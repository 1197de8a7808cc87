/** Shared pieces of the console's screens: the app context (language, account, reference data) and small components. */
import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { serverNow } from './api.js';
import { type Lang, TEXTS, type TextKey } from './i18n.js';

/** The signed-in account. */
export interface Me {
  username: string;
  displayName: string;
  role: 'agent' | 'department' | 'supervisor' | 'admin';
  departments: string[];
}
/** A service of the configuration. */
export interface ServiceInfo {
  id: string;
  name: { ar: string; en: string };
  department: string;
  fields: Array<{ id: string; required: boolean }>;
}
/** Reference data from /services. */
export interface RefData {
  services: ServiceInfo[];
  departments: Array<{ id: string; name: { ar: string; en: string } }>;
  roles: Array<{ id: string; name: { ar: string; en: string } }>;
  channels: string[];
}

/** What every screen reads. */
export interface AppContext {
  lang: Lang;
  t: (k: TextKey) => string;
  me: Me;
  ref: RefData;
  navigate: (hash: string) => void;
  toast: (text: string, kind?: 'ok' | 'error') => void;
}
export const Ctx = createContext<AppContext>(null as unknown as AppContext);
/** The app context. */
export const useApp = (): AppContext => useContext(Ctx);

/** The server's time, re-rendered every second (live waits and countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(serverNow());
  useEffect(() => {
    const t = setInterval(() => setNow(serverNow()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** A service's or department's name in the current language. */
export function nameOf(ctx: AppContext, kind: 'service' | 'department' | 'role', id: string): string {
  const list = kind === 'service' ? ctx.ref.services : kind === 'role' ? ctx.ref.roles : ctx.ref.departments;
  return list.find((x) => x.id === id)?.name[ctx.lang] ?? id;
}

/** A labelled form field; `for` is the id of the control it wraps. */
export function Field(p: { label: string; for: string; children: ComponentChildren; error?: string | undefined }) {
  return (
    <label class={`field${p.error ? ' invalid' : ''}`} for={p.for}>
      <span>{p.label}</span>
      {p.children}
      {p.error ? (
        <small class="err" role="alert">
          {p.error}
        </small>
      ) : null}
    </label>
  );
}

/** A status pill. */
export function StatusPill(p: { status: string }) {
  const { t } = useApp();
  return <span class={`pill s-${p.status}`}>{t(`s_${p.status}` as TextKey)}</span>;
}

/** A titled panel. */
export function Panel(p: { title: string; children: ComponentChildren; actions?: ComponentChildren; class?: string }) {
  return (
    <section class={`panel ${p.class ?? ''}`}>
      <header>
        <h2>{p.title}</h2>
        {p.actions}
      </header>
      {p.children}
    </section>
  );
}

/** The texts of a language (for the sign-in screen, before the context exists). */
export const textsOf =
  (lang: Lang) =>
  (k: TextKey): string =>
    TEXTS[lang][k];
