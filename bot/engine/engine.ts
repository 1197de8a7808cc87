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
import type { Inbox } from '../delivery/inbox.js';
import type { EngineDeps, EngineEvents, TurnContext } from './context.js';
import { KeyedQueue } from './keyed-queue.js';
import { buildPipeline } from './pipeline.js';
import { resumeQuestion } from '../handlers/intake.js';
import type { ConversationState, StateStore } from './state.js';
import type { Composer } from './composer.js';

/** What `handle` returns. */
export interface HandleResult {
  replies: OutboundReply[];
  /** True when this message id was already handled (or is being handled); no new reply was made. */
  duplicate: boolean;
  /** For a duplicate already handled: the replies it produced then (a synchronous API may return them again). */
  previous?: OutboundReply[];
}

/** Delivers replies that are not answers to an inbound message (agent messages, hand-back notes). */
export type ReplySink = (channel: string, conversationId: string, replies: OutboundReply[]) => Promise<void>;

/** Construction options of the engine. */
export interface EngineOptions {
  deps: Omit<EngineDeps, 'services' | 'events'>;
  state: StateStore;
  inbox: Inbox;
  /** Runs the end-of-turn writes (transcript, inbox, listeners) as one unit; default: as they come. */
  atomically?: <T>(fn: () => T) => T;
}

// Control characters other than tab and newline; zero-width and bidi marks are kept (Arabic text uses them).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** The conversation engine. */
export class Engine {
  readonly deps: EngineDeps;
  readonly events = new EventEmitter<EngineEvents>();
  private readonly queue = new KeyedQueue();
  private readonly pipeline: Composer<TurnContext> = buildPipeline();
  private readonly channels: Map<string, ChannelConfig>;
  private sink: ReplySink = async () => undefined;
  private readonly atomically: <T>(fn: () => T) => T;

  constructor(private readonly opts: EngineOptions) {
    this.deps = { ...opts.deps, events: this.events, services: new Map(opts.deps.config.services.map((s) => [s.id, s])) };
    this.channels = new Map(opts.deps.config.channels.map((c) => [c.id, c]));
    this.atomically = opts.atomically ?? ((fn) => fn());
  }

  /** Sets where agent messages and hand-back notes go (the channel registry). */
  setSink(sink: ReplySink): void {
    this.sink = sink;
  }

  /** Handles one inbound message; duplicates of a message id yield no new reply. */
  async handle(msg: InboundMessage): Promise<HandleResult> {
    const channel = this.channels.get(msg.channel);
    if (!channel) throw new RangeError(`unknown channel "${msg.channel}"`);
    const key = conversationKey(msg.channel, msg.conversationId);
    const now = this.deps.clock.now();
    const claim = this.atomically(() => {
      const c = this.opts.inbox.claim(msg.channel, msg.id, key, msg.receivedAt, now, safeJson(msg));
      if (c.claimed) this.deps.conversations.touch(key, msg.channel, msg.conversationId, undefined, msg.receivedAt);
      return c;
    });
    if (!claim.claimed) return { replies: [], duplicate: true, ...(claim.replies ? { previous: claim.replies } : {}) };
    return this.queue.run(key, async () => {
      try {
        return await this.process(msg, channel, key);
      } catch (err) {
        // Failed before its replies were recorded (state store down): release the claim, so that the
        // provider's redelivery or the client's retry is processed instead of being taken for a duplicate.
        this.opts.inbox.release(msg.channel, msg.id);
        throw err;
      }
    });
  }

  /** Re-runs a claimed message after a crash (the adapter replays `Inbox.stale`). */
  async replay(msg: InboundMessage): Promise<OutboundReply[]> {
    const channel = this.channels.get(msg.channel);
    if (!channel) throw new RangeError(`unknown channel "${msg.channel}"`);
    const key = conversationKey(msg.channel, msg.conversationId);
    return (await this.queue.run(key, () => this.process(msg, channel, key))).replies;
  }

  private async process(msg: InboundMessage, channel: ChannelConfig, key: string): Promise<HandleResult> {
    const { deps } = this;
    const now = deps.clock.now();
    const state: ConversationState = (await this.opts.state.get(key)) ?? { updatedAt: now.getTime() };
    const ctx: TurnContext = {
      deps, msg, key, channel, now, state, replies: [],
      text: (msg.text ?? '').replace(CONTROL, '').trim(),
      language: state.language ?? 'ar',
    };
    const rejected = this.guard(ctx);
    if (!rejected) {
      try {
        await this.pipeline.run(ctx);
        state.updatedAt = now.getTime();
        await this.opts.state.set(key, state, deps.config.defaults.dialogueTtlMinutes * 60_000);
      } catch (err) {
        const e = new HandlerError('message handler failed', 'pipeline', { cause: err });
        deps.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, channel: msg.channel, error: e.name }, 'handler failed');
        ctx.replies = [{ text: deps.templates.render(ctx.language, 'error', { callCentre: deps.config.organisation.callCentre }), language: ctx.language, kind: 'error' }];
      }
    }
    this.atomically(() => {
      if (!rejected) {
        deps.conversations.setLanguage(key, ctx.language);
        deps.conversations.append({ key, direction: 'in', author: 'resident', text: ctx.text, at: msg.receivedAt });
      }
      for (const r of ctx.replies) deps.conversations.append({ key, direction: 'out', author: 'bot', text: r.text, kind: r.kind, at: now });
      this.opts.inbox.complete(msg.channel, msg.id, ctx.replies);
      const first = ctx.replies[0];
      if (!first) return;
      try {
        this.events.emit('reply.produced', { channel: msg.channel, conversationId: msg.conversationId, messageId: msg.id, kind: first.kind, receivedAt: msg.receivedAt, at: now });
      } catch (err) {
        deps.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'reply.produced listener failed');
      }
    });
    this.changed(key, 'turn', now);
    deps.logger.info({ channel: msg.channel, intent: ctx.nlu?.intent ?? null, service: ctx.nlu?.service ?? null, replies: ctx.replies.length }, 'message handled');
    return { replies: ctx.replies, duplicate: false };
  }

  /** Refuses what cannot be processed with a polite reply; true when refused. */
  private guard(ctx: TurnContext): boolean {
    const max = this.deps.config.defaults.maxMessageChars;
    const raw = ctx.msg.text ?? '';
    const lang: Language = /[\u0600-\u06FF]/.test(raw) ? 'ar' : ctx.state.language ?? 'ar';
    const refuse = (key: string, vars: Record<string, string | number> = {}): boolean => {
      ctx.language = lang;
      ctx.replies.push({ text: this.deps.templates.render(lang, key, vars), language: lang, kind: 'error' });
      return true;
    };
    if (raw.length > max) return refuse('too_long', { max });
    const bad = (raw.match(/[\uFFFD\u0000]/g) ?? []).length;
    if (bad > 0 && bad >= raw.length / 10) return refuse('unreadable');
    if (!ctx.text && !ctx.msg.location && !ctx.msg.attachments?.length) return refuse('empty');
    if (ctx.text && !/[\p{L}\p{N}]/u.test(ctx.text) && !ctx.msg.location && !ctx.msg.attachments?.length) {
      ctx.text = '';
      return refuse('empty');
    }
    return false;
  }

  /** An agent takes a conversation over; the bot stays silent until it is handed back. */
  async takeOver(key: string, agentId: string): Promise<boolean> {
    return this.queue.run(key, async () => {
      const conv = this.deps.conversations.take(key, agentId, this.deps.clock.now());
      if (!conv) return false;
      this.deps.conversations.audit(`agent:${agentId}`, 'conversation.take', key, this.deps.clock.now());
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
    return this.queue.run(key, async () => {
      let conv = this.deps.conversations.get(key);
      if (conv && opts.takeOver && conv.owner !== 'agent') {
        conv = this.deps.conversations.take(key, agentId, this.deps.clock.now());
        if (!conv) return false;
        this.deps.conversations.audit(`agent:${agentId}`, 'conversation.take', key, this.deps.clock.now());
        await this.push(conv.channel, conv.conversationId, key, 'agent_joined', conv.language, 'system');
      }
      if (!conv || conv.owner !== 'agent' || conv.agentId !== agentId) return false;
      const reply: OutboundReply = { text, language: conv.language, kind: 'agent' };
      this.deps.conversations.append({ key, direction: 'out', author: `agent:${agentId}`, text, kind: 'agent', at: this.deps.clock.now() });
      await this.sink(conv.channel, conv.conversationId, [reply]);
      this.changed(key, 'agent_message');
      return true;
    });
  }

  /** Hands a conversation back to the bot, which resumes an open dialogue where it stopped. */
  async handBack(key: string, agentId: string): Promise<boolean> {
    return this.queue.run(key, async () => {
      const conv = this.deps.conversations.release(key, agentId);
      if (!conv) return false;
      this.deps.conversations.audit(`agent:${agentId}`, 'conversation.release', key, this.deps.clock.now());
      const state = await this.opts.state.get(key);
      const service = state?.dialogue?.serviceId ? this.deps.services.get(state.dialogue.serviceId) : undefined;
      const t = this.deps.templates;
      const question = state?.dialogue ? resumeQuestion(state.dialogue) : undefined;
      const resume = service
        ? [t.render(conv.language, 'resume_dialogue', { service: service.name[conv.language] }), ...(question ? [t.render(conv.language, question)] : [])].join('\n')
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
    this.deps.conversations.append({ key, direction: 'out', author, text, kind: 'handoff', at: this.deps.clock.now() });
    await this.sink(channel, conversationId, [{ text, language, kind: 'handoff' }]);
  }
}

function safeJson(msg: InboundMessage): string | undefined {
  try {
    return JSON.stringify({ ...msg, raw: undefined });
  } catch {
    return undefined;
  }
}
