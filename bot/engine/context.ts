import type { EventEmitter } from 'node:events';
import type { ChannelConfig, ServiceConfig, TawasulConfig } from '../../config/schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import type { Logger } from '../core/logger.js';
import type { Templates, TemplateVars } from '../core/templates.js';
import type { InboundMessage, Language, OutboundReply, ReplyKind } from '../core/types.js';
import type { Classification, Classifier } from '../nlu/types.js';
import type { ConversationRecord, ConversationStore } from '../store/conversation-store.js';
import type { RequestRecord, RequestStore } from '../store/types.js';
import type { ConversationState } from './state.js';

/** Source of the current time; tests inject a fixed or stepping clock. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Events the engine emits for other parts (notifications, SLA, metrics). */
export interface EngineEvents {
  'request.filed': [RequestRecord];
  'handoff.queued': [{ key: string; at: Date }];
  'reply.produced': [{ channel: string; conversationId: string; messageId: string; kind: ReplyKind; receivedAt: Date; at: Date }];
  /** A conversation's transcript or holder changed (a turn ended, an agent took, spoke or handed back): the console's live feed. */
  'conversation.changed': [{ key: string; reason: 'turn' | 'taken' | 'agent_message' | 'released'; at: Date }];
}

/** What the handlers need; built once per engine. */
export interface EngineDeps {
  config: TawasulConfig;
  templates: Templates;
  calendar: WorkingCalendar;
  classifier: Classifier;
  requests: RequestStore;
  conversations: ConversationStore;
  clock: Clock;
  logger: Logger;
  events: EventEmitter<EngineEvents>;
  services: Map<string, ServiceConfig>;
  /** Which resident notification transports are configured (replies promise only these); none when absent. */
  notifications?: { sms: boolean; email: boolean };
}

/** One message's journey through the pipeline. */
export interface TurnContext {
  deps: EngineDeps;
  msg: InboundMessage;
  key: string;
  channel: ChannelConfig;
  now: Date;
  /** The message text, trimmed, control characters removed. */
  text: string;
  language: Language;
  state: ConversationState;
  /** The conversation as read at the start of the turn (who holds it), read once per turn; updated when the turn queues it. */
  conversation?: ConversationRecord;
  nlu?: Classification;
  replies: OutboundReply[];
}

/** Adds a reply rendered from a template in the conversation's language. */
export function say(ctx: TurnContext, key: string, vars: TemplateVars = {}, kind: ReplyKind = 'answer'): void {
  ctx.replies.push({ text: ctx.deps.templates.render(ctx.language, key, vars), language: ctx.language, kind });
}

/** Adds a literal reply. */
export function sayText(ctx: TurnContext, text: string, kind: ReplyKind = 'answer'): void {
  ctx.replies.push({ text, language: ctx.language, kind });
}

/** Common template variables (organisation facts). */
export function orgVars(ctx: TurnContext): TemplateVars {
  const o = ctx.deps.config.organisation;
  return { org: o.name[ctx.language], portal: o.portal, tajawob: o.tajawob, email: o.contactEmail, callCentre: o.callCentre };
}
