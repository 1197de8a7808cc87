/** The agent inbox: waiting chats oldest first with live waits and first-response countdowns, and the chat itself. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api, onLive } from './api.js';
import type { CannedReply, Chat, ChatDetail as Detail, Message as Msg } from './api-types.js';
import { FileRequestForm } from './file-request.js';
import { formatDuration, formatTime, type TextKey } from './i18n.js';
import { Panel, StatusPill, useApp, useNow } from './ui.js';

type View = 'waiting' | 'mine' | 'held';

function ChatRow(p: { chat: Chat; selected: boolean; onSelect: () => void }) {
  const { t, lang } = useApp();
  const now = useNow();
  const c = p.chat;
  const due = c.firstResponseDueAt ? Date.parse(c.firstResponseDueAt) - now : undefined;
  return (
    <li>
      <button type="button" class={`chat-row${p.selected ? ' selected' : ''}`} onClick={p.onSelect} data-chat={c.id}>
        <span class="ch">{c.channel}</span>{' '}
        <span class="lbl" dir="ltr">
          {c.label}
        </span>{' '}
        <span class="lang">{c.language === 'ar' ? 'ع' : 'EN'}</span>
        {c.owner === 'agent' ? (
          <span class="holder">
            {t('heldBy')} {c.agentId}
          </span>
        ) : null}
        {c.queuedAt ? (
          <span class="wait">
            {t('waitedFor')}: <b>{formatDuration(lang, now - Date.parse(c.queuedAt))}</b>
          </span>
        ) : null}
        {c.owner === 'queue' && due !== undefined ? (
          <span class={`due ${due < 0 ? 'late' : due < 5 * 60_000 ? 'soon' : ''}`}>
            {due < 0 ? t('overdueBy') : t('dueIn')}: <b>{formatDuration(lang, due)}</b>
          </span>
        ) : null}
      </button>
    </li>
  );
}

function ChatView(p: { id: number; onChanged: () => void }) {
  const ctx = useApp();
  const { t, lang, me } = ctx;
  const [d, setD] = useState<Detail | undefined>();
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [canned, setCanned] = useState<CannedReply[]>([]);
  const seq = useRef(0);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [d?.messages.length]);
  const load = async (): Promise<void> => {
    const r = await api<Detail>('GET', `/conversations/${p.id}`);
    seq.current = r.messages.at(-1)?.seq ?? 0;
    setD(r);
  };
  useEffect(() => {
    void load();
    void api<{ replies: CannedReply[] }>('GET', '/canned-replies').then((r) => setCanned(r.replies));
    return onLive(async (e) => {
      if (e.type !== 'conversation' || e.data.id !== p.id) return;
      const r = await api<{ messages: Msg[] }>('GET', `/conversations/${p.id}/messages?after=${seq.current}`);
      const fresh = r.messages.filter((m) => m.seq > seq.current);
      if (fresh.length) seq.current = fresh.at(-1)!.seq;
      setD((old) => old && { ...old, conversation: { ...old.conversation, ...e.data }, messages: [...old.messages, ...fresh] });
    });
  }, [p.id]);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      await load();
      p.onChanged();
    } catch (err) {
      const a = err as ApiError;
      ctx.toast(
        a.reason === 'held_by_other'
          ? `${t('heldByOther')}: ${a.detail.holder} (${formatTime(lang, a.detail.since)})`
          : a.reason === 'resident_left'
            ? `${t('residentLeft')} (${formatTime(lang, a.detail.lastMessageAt)}) — ${t('notSent')}`
            : a.message,
        'error',
      );
    }
  };
  if (!d) return <div class="chat-view empty" aria-busy="true" />;
  const c = d.conversation;
  const mine = c.owner === 'agent' && c.agentId === me.username;
  const send = (e: Event): void => {
    e.preventDefault();
    if (text.trim())
      void act(async () => {
        await api('POST', `/conversations/${p.id}/messages`, { text });
        setText('');
      });
  };
  const author = (m: Msg): string =>
    m.author === 'resident'
      ? t('resident')
      : m.author === 'bot'
        ? t('bot')
        : m.author === 'system'
          ? t('system')
          : `${t('agent')} ${m.author.replace(/^agent:/, '')}`;
  return (
    <div class="chat-layout">
      <section class="chat-view panel" aria-label={c.label}>
        <header>
          <h2>
            <span class="ch">{c.channel}</span> <span dir="ltr">{c.label}</span>
          </h2>
          {c.residentLeft ? <span class="pill warn">{t('residentLeft')}</span> : null}
          {!mine ? (
            <button type="button" id="take" class="primary" onClick={() => act(() => api('POST', `/conversations/${p.id}/take`))}>
              {t('takeOver')}
            </button>
          ) : null}
          {mine ? (
            <button type="button" id="handback" onClick={() => act(() => api('POST', `/conversations/${p.id}/release`))}>
              {t('handBack')}
            </button>
          ) : null}
        </header>
        <ol class="transcript" aria-live="polite" ref={list}>
          {d.messages.map((m) => (
            <li class={`msg ${m.direction} ${m.author.startsWith('agent:') ? 'agent' : m.author}`} data-seq={m.seq}>
              <span class="meta">
                {author(m)} · {formatTime(lang, m.at, false)}
              </span>
              <p dir="auto">{m.text}</p>
            </li>
          ))}
        </ol>
        <form class="composer" onSubmit={send}>
          <select
            aria-label={t('canned')}
            id="canned"
            onChange={(e) => {
              const x = canned.find((r) => r.id === e.currentTarget.value);
              if (x) setText(x.text[c.language === 'en' ? 'en' : 'ar']);
              e.currentTarget.value = '';
            }}
          >
            <option value="">{t('chooseCanned')}</option>
            {canned.map((r) => (
              <option value={r.id}>{r.title[lang]}</option>
            ))}
          </select>
          <textarea
            id="reply"
            rows={3}
            placeholder={t('reply')}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            dir="auto"
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e);
            }}
          />
          <button type="submit" class="primary" id="send">
            {t('send')}
          </button>
        </form>
      </section>
      <aside class="chat-side">
        <Panel title={t('notes')}>
          <ul class="notes">
            {d.notes.map((n) => (
              <li>
                <span class="meta">
                  {n.author} · {formatTime(lang, n.at)}
                </span>
                <p dir="auto">{n.text}</p>
              </li>
            ))}
          </ul>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (note.trim())
                void act(async () => {
                  await api('POST', `/conversations/${p.id}/notes`, { text: note });
                  setNote('');
                });
            }}
          >
            <input id="note" placeholder={t('notePlaceholder')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            <button type="submit">{t('addNote')}</button>
          </form>
        </Panel>
        <Panel title={t('otherRequests')}>
          {d.related.requests.length === 0 ? (
            <p class="muted">{t('none')}</p>
          ) : (
            <ul class="related">
              {d.related.requests.map((r) => (
                <li>
                  <a href={`#/requests/${r.reference}`}>{r.reference}</a> <StatusPill status={r.status} />
                </li>
              ))}
            </ul>
          )}
          {d.related.conversations.length ? (
            <>
              <h3>{t('otherChats')}</h3>
              <ul class="related">
                {d.related.conversations.map((x) => (
                  <li>
                    {x.channel} <span dir="ltr">{x.label}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Panel>
        <Panel title={t('fileRequest')}>
          <FileRequestForm conversationId={p.id} onFiled={() => void load()} />
        </Panel>
      </aside>
    </div>
  );
}

/** The inbox screen. */
export function InboxScreen() {
  const { t, navigate } = useApp();
  const [view, setView] = useState<View>('waiting');
  const [chats, setChats] = useState<Chat[]>([]);
  const [selected, setSelected] = useState<number | undefined>();
  const viewRef = useRef(view);
  viewRef.current = view;
  const load = async (): Promise<void> => {
    setChats((await api<{ conversations: Chat[] }>('GET', `/conversations?view=${viewRef.current}`)).conversations);
  };
  useEffect(() => {
    void load();
  }, [view]);
  useEffect(
    () =>
      onLive((e) => {
        if (e.type === 'conversation' || e.type === 'ready') void load();
      }),
    [],
  );
  return (
    <div class="inbox">
      <nav class="chat-list panel" aria-label={t('inbox')}>
        <div class="tabs" role="tablist">
          {(['waiting', 'mine', 'held'] as const).map((v) => (
            <button type="button" role="tab" aria-selected={view === v} class={view === v ? 'active' : ''} id={`view-${v}`} onClick={() => setView(v)}>
              {t(v as TextKey)}
            </button>
          ))}
        </div>
        {chats.length === 0 ? (
          <p class="muted">{t('noChats')}</p>
        ) : (
          <ul>
            {chats.map((c) => (
              <ChatRow chat={c} selected={c.id === selected} onSelect={() => setSelected(c.id)} />
            ))}
          </ul>
        )}
      </nav>
      {selected ? (
        <ChatView id={selected} onChanged={() => void load()} />
      ) : (
        <div class="no-chat">
          <p class="muted select-hint">{t('selectChat')}</p>
          <Panel title={t('fileRequest')} class="caller-form">
            <FileRequestForm onFiled={(ref) => navigate(`requests/${ref}`)} />
          </Panel>
        </div>
      )}
    </div>
  );
}
