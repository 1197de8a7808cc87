/**
 * The engine: the one entry point every channel adapter calls with a normalized InboundMessage.
 * It claims the message id (exactly once), serializes messages of one conversation, runs the
 * middleware pipeline, keeps the transcript and the conversation state, and returns the replies,
 * which the adapter delivers. Agent actions (take over, say, hand back) go through it too.
 */
import { EventEmitter } from 'node:events';
import type { ChannelConfig } from '../../config/schema.js';
import { HandlerError } from '../core/errors.js';
import { conversationKey, type InboundMessage, type Language, type OutboundReply } from '../core/types.js';
import { reviveMessage } from '../delivery/inbox.js';
import type { InboundLedger } from '../delivery/types.js';
import { resumeQuestion } from '../handlers/intake.js';
import { isConfirm } from '../handlers/intake-fields.js';
import type { TranscriptEntry } from '../store/conversation-store.js';
import type { Composer } from './composer.js';
import type { EngineDeps, EngineEvents, TurnContext } from './context.js';
import { type ConversationLocks, inProcessLocks } from './conversation-locks.js';
import { GroupCommit } from './group-commit.js';
import { KeyedQueue } from './keyed-queue.js';
import { buildPipeline } from './pipeline.js';
import type { ConversationState, TurnStateStore } from './state.js';
import { ClaimedElsewhereError, TurnClaim } from './turn-claim.js';
import { turnDeps, turnId } from './turn-deps.js';
import type { Transactions, TurnTx } from './turn-tx.js';

/** What `handle` returns. */
export interface HandleResult {
  replies: OutboundReply[];
  /** True when this message id was already handled (or is being handled); no new reply was made. */
  duplicate: boolean;
  /** For a duplicate: the replies the first handling produced (once it finished), for a synchronous API to return again. */
  previous?: OutboundReply[];
}

/** Options of one turn. */
export interface TurnOptions {
  /**
   * Runs inside the end-of-turn transaction with the turn's replies and the transaction's views (the
   * delivery layer queues them in `tx.outbox`), so that they commit with the rest of the turn or not at all.
   */
  onCommit?: (replies: OutboundReply[], tx: TurnTx) => void | Promise<void>;
  /**
   * The message id was minted by the adapter for this delivery (not given by a client or provider):
   * no earlier delivery can hold it, so the inbound ledger is not looked up before the turn (its
   * claim, written with the turn, still refuses an id already present).
   */
  fresh?: boolean;
}

/** Delivers replies that are not answers to an inbound message (agent messages, hand-back notes). */
export type ReplySink = (channel: string, conversationId: string, replies: OutboundReply[]) => Promise<void>;

/** Construction options of the engine. */
export interface EngineOptions {
  deps: Omit<EngineDeps, 'services' | 'events'>;
  /** The conversation state, read at the start of a turn (written through the end-of-turn transaction's views). */
  state: TurnStateStore;
  /** The inbound ledger, read outside the turn's transaction (claims and completions go through its views). */
  inbox: InboundLedger;
  /** The end-of-turn transactions, on the same database as the stores above. */
  transactions: Transactions;
  /** Per-conversation locks shared by the instances (Redis); none for the embedded default. */
  locks?: ConversationLocks;
}

// Control characters other than tab and newline; zero-width and bidi marks are kept (Arabic text uses them).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** The text a turn reads: trimmed, control characters removed. */
const turnText = (msg: InboundMessage): string => (msg.text ?? '').replace(CONTROL, '').trim();

/**
 * The conversation engine. A turn is atomic: the state read at its start, and at its end, in ONE
 * transaction, the claim of the message id (unless a group commit wrote it earlier), the state, the
 * transcript, the inbox marked done, the caller's outbox items and the first-response record; the
 * turns that end in the same pass of the event loop share that transaction (group commit), each in
 * its own savepoint, and none is answered before it commits. The end of a turn writes through the
 * transaction's views (`TurnTx`), so the same code runs on SQLite and PostgreSQL (`Transactions`).
 * The first-response record is the `reply.produced` listener's: inside the transaction on SQLite
 * (same connection); on PostgreSQL the SLA's store writes it on its own connection just after.
 * Filing a request commits earlier, after the claim, keyed by the inbound message, so a turn
 * replayed after a crash finds the request it filed and answers with its reference.
 */
export class Engine {
  readonly deps: EngineDeps;
  readonly events = new EventEmitter<EngineEvents>();
  private readonly queue = new KeyedQueue();
  private readonly locks: ConversationLocks;
  private readonly pipeline: Composer<TurnContext> = buildPipeline();
  private readonly channels: Map<string, ChannelConfig>;
  private sink: ReplySink = async () => undefined;
  /** Turns in progress in this process, by channel and message id. */
  private readonly inFlight = new Map<string, Promise<HandleResult>>();
  /** End-of-turn writes (and lazy claims) of concurrent turns, one transaction per pass of the event loop. */
  private readonly commits: GroupCommit;

  constructor(private readonly opts: EngineOptions) {
    this.deps = { ...opts.deps, events: this.events, services: new Map(opts.deps.config.services.map((s) => [s.id, s])) };
    this.channels = new Map(opts.deps.config.channels.map((c) => [c.id, c]));
    this.commits = new GroupCommit(opts.transactions);
    this.locks = opts.locks ?? inProcessLocks;
  }

  /** Runs a conversation's work after its earlier work here, holding its cluster-wide lock. */
  private serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(key, () => this.locks.hold(key, task));
  }

  /** Sets where agent messages and hand-back notes go (the channel registry). */
  setSink(sink: ReplySink): void {
    this.sink = sink;
  }

  /**
   * Handles one inbound message. A message id is processed once: a second call while the first is
   * in flight waits for it and gets its replies as `previous`; once done, the stored replies. A claim
   * a crash left unfinished (not in flight in this process) is taken over and replayed here.
   */
  async handle(msg: InboundMessage, opts: TurnOptions = {}): Promise<HandleResult> {
    // Read on the classifier's thread before the turn is queued, so that the turn runs within one pass.
    await this.deps.classifier.prepare?.(turnText(msg));
    return this.admit(msg, opts);
  }

  private async admit(msg: InboundMessage, opts: TurnOptions): Promise<HandleResult> {
    const channel = this.channelOf(msg);
    const key = conversationKey(msg.channel, msg.conversationId);
    if (opts.fresh) return this.start(msg, channel, key, opts, { claimed: false, release: true });
    const running = this.inFlight.get(turnId(msg));
    if (running) {
      const first = await running.catch(() => undefined);
      // The first handling failed and released its claim: this delivery is processed instead.
      if (!first) return this.admit(msg, opts);
      return { replies: [], duplicate: true, previous: repliesOf(first) };
    }
    const row = await this.opts.inbox.get(msg.channel, msg.id);
    // Started meanwhile (the ledger answered with a promise): wait for that handling instead.
    if (this.inFlight.has(turnId(msg))) return this.admit(msg, opts);
    if (row?.state === 'done') return { replies: [], duplicate: true, previous: row.replies ?? [] };
    // Not seen (claimed lazily by the turn), or claimed by a process that died: this delivery (a
    // client's retry, a provider's redelivery) finishes it.
    return this.start(msg, channel, key, opts, { claimed: row !== undefined, release: true });
  }

  /**
   * Re-runs a claimed message after a crash (the delivery layer replays `Inbox.stale`); waits for it
   * instead when it is in flight, and returns the stored replies when it is already done.
   */
  async replay(msg: InboundMessage, opts: TurnOptions = {}): Promise<OutboundReply[]> {
    const running = this.inFlight.get(turnId(msg));
    if (running) return repliesOf(await running);
    const channel = this.channelOf(msg);
    return repliesOf(await this.start(msg, channel, conversationKey(msg.channel, msg.conversationId), opts, { claimed: true, release: false }));
  }

  /** Replays every claim of `channels` left unfinished since before `olderThan` (start-up, before taking traffic). */
  async recover(channels: readonly string[], olderThan: Date): Promise<number> {
    const wanted = new Set(channels);
    let n = 0;
    for (const stale of await this.opts.inbox.stale(olderThan)) {
      if (!wanted.has(stale.channel) || !stale.raw || !this.channels.has(stale.channel)) continue;
      await this.replay(reviveMessage(stale.raw));
      n++;
    }
    if (n > 0) this.deps.logger.info({ recovered: n }, 'unfinished turns replayed after restart');
    return n;
  }

  private channelOf(msg: InboundMessage): ChannelConfig {
    const channel = this.channels.get(msg.channel);
    if (!channel) throw new RangeError(`unknown channel "${msg.channel}"`);
    return channel;
  }

  /** Queues the turn behind the conversation's earlier ones and registers it as in flight. */
  private start(
    msg: InboundMessage,
    channel: ChannelConfig,
    key: string,
    opts: TurnOptions,
    how: { claimed: boolean; release: boolean },
  ): Promise<HandleResult> {
    const id = turnId(msg);
    const claim = new TurnClaim(this.commits, msg, key, this.deps.clock.now(), how.claimed);
    const turn = this.serial(key, async () => {
      try {
        return await this.process(msg, channel, key, opts, claim, how.claimed || this.locks.shared);
      } catch (err) {
        if (err instanceof ClaimedElsewhereError) {
          const row = await this.opts.inbox.get(msg.channel, msg.id);
          return { replies: [], duplicate: true, previous: row?.replies ?? [] };
        }
        // Failed before its replies were recorded (database fault): release the claim, so that the
        // provider's redelivery or the client's retry is processed instead of being taken for a duplicate.
        if (claim.cancel() && how.release) await this.opts.inbox.release(msg.channel, msg.id);
        throw err;
      }
    });
    this.inFlight.set(id, turn);
    const clear = (): void => {
      if (this.inFlight.get(id) === turn) this.inFlight.delete(id);
    };
    turn.then(clear, clear);
    return turn;
  }

  private async process(
    msg: InboundMessage,
    channel: ChannelConfig,
    key: string,
    opts: TurnOptions,
    claim: TurnClaim,
    recheck: boolean,
  ): Promise<HandleResult> {
    const { deps } = this;
    if (recheck) {
      // Finished meanwhile, by a replay racing the delivery that completed it or, with several
      // instances, by another instance that took this message over first: never a second turn.
      const row = await this.opts.inbox.get(msg.channel, msg.id);
      if (row?.state === 'done') return { replies: [], duplicate: true, previous: row.replies ?? [] };
    }
    // The conversation and its state are read once, together; a first message creates the conversation
    // before the handlers run (they may queue it).
    const now = deps.clock.now();
    const start = await this.opts.state.loadTurn(key, now);
    let conversation = start.conversation;
    if (!conversation) {
      await this.commits.submit((tx) => tx.conversations.touch(key, msg.channel, msg.conversationId, undefined, msg.receivedAt));
      conversation = await deps.conversations.get(key);
    }
    const state: ConversationState = start.state ?? { updatedAt: now.getTime() };
    const turn = turnDeps(deps, msg, () => claim.durable());
    const ctx: TurnContext = {
      deps: turn.deps,
      msg,
      key,
      channel,
      now,
      state,
      replies: [],
      conversation,
      text: turnText(msg),
      language: state.language ?? 'ar',
    };
    const rejected = this.guard(ctx);
    let keepState = false;
    if (!rejected) {
      try {
        await this.pipeline.run(ctx);
        keepState = true;
      } catch (err) {
        // A request filed before the failure stays filed: keep the state that says so (no second filing),
        // and give the resident its reference instead of "try again".
        const filed = turn.filed();
        keepState = filed !== undefined;
        const e = new HandlerError('message handler failed', 'pipeline', { cause: err });
        deps.logger.error(
          { err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, channel: msg.channel, error: e.name },
          'handler failed',
        );
        const vars = { callCentre: deps.config.organisation.callCentre, ...(filed ? { reference: filed.reference } : {}) };
        ctx.replies = [{ text: deps.templates.render(ctx.language, filed ? 'error_after_filing' : 'error', vars), language: ctx.language, kind: 'error' }];
      }
    }
    claim.end();
    await this.commits.submit(async (tx) => {
      await claim.complete(tx, ctx.replies);
      if (keepState) {
        state.updatedAt = now.getTime();
        await tx.state.save(key, state, new Date(now.getTime() + deps.config.defaults.dialogueTtlMinutes * 60_000));
      }
      await tx.conversations.noteMessage(key, rejected ? undefined : ctx.language, msg.receivedAt);
      const lines: Array<Omit<TranscriptEntry, 'seq'>> = [];
      if (!rejected) lines.push({ key, direction: 'in', author: 'resident', text: ctx.text, at: msg.receivedAt });
      for (const r of ctx.replies) lines.push({ key, direction: 'out', author: 'bot', text: r.text, kind: r.kind, at: now });
      await tx.conversations.appendAll(lines);
      const first = ctx.replies[0];
      if (first) {
        try {
          this.events.emit('reply.produced', {
            channel: msg.channel,
            conversationId: msg.conversationId,
            messageId: msg.id,
            kind: first.kind,
            receivedAt: msg.receivedAt,
            at: now,
          });
        } catch (err) {
          deps.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'reply.produced listener failed');
        }
      }
      await opts.onCommit?.(ctx.replies, tx);
    });
    this.changed(key, 'turn', now);
    // Per message: debug only (at info, building and redacting the line cost about 1% of a message's CPU).
    if (deps.logger.isLevelEnabled('debug')) {
      deps.logger.debug(
        { channel: msg.channel, intent: ctx.nlu?.intent ?? null, service: ctx.nlu?.service ?? null, replies: ctx.replies.length },
        'message handled',
      );
    }
    return { replies: ctx.replies, duplicate: false };
  }

  /** Refuses what cannot be processed with a polite reply; true when refused. */
  private guard(ctx: TurnContext): boolean {
    const max = this.deps.config.defaults.maxMessageChars;
    const raw = ctx.msg.text ?? '';
    const lang: Language = /[\u0600-\u06FF]/.test(raw) ? 'ar' : (ctx.state.language ?? 'ar');
    const refuse = (key: string, vars: Record<string, string | number> = {}): boolean => {
      ctx.language = lang;
      ctx.replies.push({ text: this.deps.templates.render(lang, key, vars), language: lang, kind: 'error' });
      return true;
    };
    if (raw.length > max) return refuse('too_long', { max });
    const bad = (raw.match(/[\uFFFD\u0000]/g) ?? []).length;
    if (bad > 0 && bad >= raw.length / 10) return refuse('unreadable');
    if (!ctx.text && !ctx.msg.location && !ctx.msg.attachments?.length) return refuse('empty');
    // A 👍 alone confirms a summary: the one emoji-only message the dialogue takes.
    const confirming = ctx.state.dialogue?.awaiting === 'confirm' && isConfirm(ctx.text);
    if (ctx.text && !confirming && !/[\p{L}\p{N}]/u.test(ctx.text) && !ctx.msg.location && !ctx.msg.attachments?.length) {
      ctx.text = '';
      return refuse('empty');
    }
    return false;
  }

  /** An agent takes a conversation over; the bot stays silent until it is handed back. */
  async takeOver(key: string, agentId: string): Promise<boolean> {
    return this.serial(key, async () => {
      const conv = await this.deps.conversations.take(key, agentId, this.deps.clock.now());
      if (!conv) return false;
      await this.deps.conversations.audit(`agent:${agentId}`, 'conversation.take', key, this.deps.clock.now());
      await this.push(conv.channel, conv.conversationId, key, 'agent_joined', conv.language, 'system');
      this.changed(key, 'taken');
      return true;
    });
  }

  /**
   * Sends an agent's message into a conversation. With `takeOver`, writing into a chat the bot or the
   * queue holds takes it over first (the bot never talks over an agent); false when another agent holds it.
   */
  async agentSay(key: string, agentId: string, text: string, opts: { takeOver?: boolean } = {}): Promise<boolean> {
    return this.serial(key, async () => {
      let conv = await this.deps.conversations.get(key);
      if (conv && opts.takeOver && conv.owner !== 'agent') {
        conv = await this.deps.conversations.take(key, agentId, this.deps.clock.now());
        if (!conv) return false;
        await this.deps.conversations.audit(`agent:${agentId}`, 'conversation.take', key, this.deps.clock.now());
        await this.push(conv.channel, conv.conversationId, key, 'agent_joined', conv.language, 'system');
      }
      if (conv?.owner !== 'agent' || conv.agentId !== agentId) return false;
      const reply: OutboundReply = { text, language: conv.language, kind: 'agent' };
      await this.deps.conversations.append({ key, direction: 'out', author: `agent:${agentId}`, text, kind: 'agent', at: this.deps.clock.now() });
      await this.sink(conv.channel, conv.conversationId, [reply]);
      this.changed(key, 'agent_message');
      return true;
    });
  }

  /** Hands a conversation back to the bot, which resumes an open dialogue where it stopped. */
  async handBack(key: string, agentId: string): Promise<boolean> {
    return this.serial(key, async () => {
      const conv = await this.deps.conversations.release(key, agentId);
      if (!conv) return false;
      await this.deps.conversations.audit(`agent:${agentId}`, 'conversation.release', key, this.deps.clock.now());
      const state = await this.opts.state.load(key, this.deps.clock.now());
      const service = state?.dialogue?.serviceId ? this.deps.services.get(state.dialogue.serviceId) : undefined;
      const t = this.deps.templates;
      const question = state?.dialogue ? resumeQuestion(state.dialogue) : undefined;
      const resume = service
        ? [t.render(conv.language, 'resume_dialogue', { service: service.name[conv.language] }), ...(question ? [t.render(conv.language, question)] : [])].join(
            '\n',
          )
        : t.render(conv.language, 'menu');
      await this.push(conv.channel, conv.conversationId, key, 'agent_left', conv.language, 'bot', { resume });
      this.changed(key, 'released');
      return true;
    });
  }

  /** Emits `conversation.changed`; a failing listener never reaches the resident's path. */
  private changed(key: string, reason: EngineEvents['conversation.changed'][0]['reason'], at: Date = this.deps.clock.now()): void {
    try {
      this.events.emit('conversation.changed', { key, reason, at });
    } catch (err) {
      this.deps.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'conversation.changed listener failed');
    }
  }

  private async push(channel: string, conversationId: string, key: string, template: string, language: Language, author: string, vars = {}): Promise<void> {
    const text = this.deps.templates.render(language, template, vars);
    await this.deps.conversations.append({ key, direction: 'out', author, text, kind: 'handoff', at: this.deps.clock.now() });
    await this.sink(channel, conversationId, [{ text, language, kind: 'handoff' }]);
  }
}

/** The replies a handling produced, or found stored when it turned out a duplicate. */
const repliesOf = (r: HandleResult): OutboundReply[] => (r.duplicate ? (r.previous ?? []) : r.replies);
