/**
 * The web chat page (Preact). History is restored from the transcript on load; new lines (agent
 * messages, the hand-back notice) arrive by polling the transcript after the last sequence number,
 * merged by sequence number so that nothing shows twice. The conversation's secret is kept in
 * localStorage and sent as a bearer token.
 */
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { timeOrderedId } from '../../../bot/core/ids.js';
import {
  ApiError,
  type Entry,
  loadSession,
  openConversation,
  postMessage,
  randomId,
  readStore,
  type Session,
  saveSession,
  transcript,
  writeStore,
} from './api.js';
import { Composer, type Line, Message, Welcome } from './components.js';
import { browserLanguage, type Lang, STRINGS } from './i18n.js';

const POLL_MS = 2000;
const LANG_KEY = 'tawasul.lang';

function initialLanguage(): Lang {
  const stored = readStore(LANG_KEY);
  return stored === 'ar' || stored === 'en' ? stored : browserLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

function App() {
  const [lang, setLangState] = useState<Lang>(initialLanguage);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [pending, setPending] = useState<Line[]>([]);
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState('');
  const session = useRef<Session | null>(loadSession());
  const lastSeq = useRef(0);
  const syncing = useRef<Promise<void>>(Promise.resolve());
  const logEnd = useRef<HTMLDivElement>(null);
  const t = STRINGS[lang];

  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    writeStore(LANG_KEY, l);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = t.dir;
    document.title = t.title;
  }, [lang]);

  /** Forgets a conversation the server no longer accepts. */
  const forget = useCallback((): void => {
    session.current = null;
    saveSession(null);
    lastSeq.current = 0;
    setEntries([]);
  }, []);

  /** Fetches transcript lines after the last one seen; one fetch at a time, merged by seq. */
  const sync = useCallback((): Promise<void> => {
    const run = async (): Promise<void> => {
      const s = session.current;
      if (!s) return;
      try {
        const fresh = (await transcript(s, lastSeq.current)).filter((e) => e.seq > lastSeq.current);
        if (fresh.length === 0) return;
        lastSeq.current = fresh[fresh.length - 1]!.seq;
        setEntries((old) => [...old, ...fresh]);
      } catch (err) {
        // The conversation is gone (or its secret): start afresh.
        if (err instanceof ApiError && err.status === 401) forget();
      }
    };
    syncing.current = syncing.current.then(run);
    return syncing.current;
  }, []);

  // Restore the history on load, then poll for agent messages and notices.
  useEffect(() => {
    let polls = 0;
    void sync();
    const timer = setInterval(() => {
      void sync().then(() => {
        document.documentElement.dataset.polls = String(++polls);
      });
    }, POLL_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    logEnd.current?.scrollIntoView?.({ block: 'end' });
  }, [entries, pending, waiting]);

  /** Posts a message; a failed one stays in the log with a retry that reuses its client id (never answered twice). */
  const deliver = useCallback(
    async (line: Line) => {
      setError('');
      setWaiting(true);
      setPending((p) => (p.includes(line) ? p.map((x) => (x === line ? { ...x, failed: false } : x)) : [...p, line]));
      const body = { ...line.body!, clientMessageId: line.clientMessageId! };
      const post = async (): Promise<Awaited<ReturnType<typeof postMessage>>> => {
        if (!session.current) {
          session.current = await openConversation();
          saveSession(session.current);
        }
        return postMessage(session.current, body);
      };
      try {
        let r: Awaited<ReturnType<typeof postMessage>>;
        try {
          r = await post();
        } catch (err) {
          // The stored conversation is no longer accepted (expired, or its secret lost): start a new one once.
          if (!(err instanceof ApiError && err.status === 401)) throw err;
          forget();
          r = await post();
        }
        const replyLang = r.replies[0]?.language;
        if (replyLang && replyLang !== lang) setLang(replyLang);
        await sync();
        setPending((p) => p.filter((x) => x.key !== line.key));
      } catch {
        setPending((p) => p.map((x) => (x.key === line.key ? { ...x, failed: true } : x)));
        setError(STRINGS[lang].sendFailed);
      } finally {
        setWaiting(false);
        document.getElementById('text')?.focus();
      }
    },
    [lang],
  );

  const send = useCallback(
    (body: { text?: string; location?: { latitude: number; longitude: number } }) => {
      const line: Line = { key: randomId(), entry: { direction: 'in', author: 'resident', text: body.text ?? '' }, body, clientMessageId: timeOrderedId() };
      return deliver(line);
    },
    [deliver],
  );

  const locate = useCallback(() => {
    if (!('geolocation' in navigator)) return setError(t.locationUnavailable);
    navigator.geolocation.getCurrentPosition(
      (pos) => void send({ text: '', location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude } }),
      () => setError(t.locationFailed),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }, [send, t]);

  const lines: Line[] = [...entries.map((e) => ({ key: `s${e.seq}`, entry: e })), ...pending];
  const other: Lang = lang === 'ar' ? 'en' : 'ar';
  return (
    <>
      <header>
        <h1>{t.title}</h1>
        <button type="button" id="lang" lang={other} aria-label={t.switchTo} onClick={() => setLang(other)}>
          {t.otherLanguage}
        </button>
      </header>
      <main>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the message log is a scroll region; keyboard users must reach it to scroll (WCAG 2.1.1) */}
        <div id="log" class="log" role="log" aria-live="polite" aria-relevant="additions" aria-label={t.log} tabIndex={0}>
          <Welcome t={t} disabled={waiting} onChoose={(n) => void send({ text: n })} />
          {lines.map((l) => (
            <Message key={l.key} t={t} line={l} onRetry={waiting ? undefined : () => void deliver(l)} />
          ))}
          {waiting && (
            <p class="typing" aria-hidden="true">
              <span />
              <span />
              <span />
            </p>
          )}
          <div ref={logEnd} />
        </div>
        <p class="status" role="status">
          {waiting ? t.typing : ''}
        </p>
        <p class="err" role="alert">
          {error}
        </p>
        <Composer
          t={t}
          waiting={waiting}
          canLocate={'geolocation' in navigator && window.isSecureContext}
          onSend={(text) => void send({ text })}
          onLocate={locate}
        />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
