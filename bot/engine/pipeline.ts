import type { FieldId } from '../../config/schema.js';
import type { Intent } from '../core/types.js';
import { askClarification, pickChoice } from '../handlers/clarify.js';
import { requestAgent } from '../handlers/handoff.js';
import { answerInquiry, answerTopics } from '../handlers/inquiry.js';
import { continueIntake, remindIntake, resumeQuestion, startIntake } from '../handlers/intake.js';
import { FIELD_VALIDATORS, isConfirm, isMenu } from '../handlers/intake-fields.js';
import { greet, redirectToTajawob, thank } from '../handlers/small-talk.js';
import { answerStatus, continuesStatus } from '../handlers/status.js';
import { clarificationChoices } from '../nlu/clarify.js';
import { detectLanguage } from '../nlu/language.js';
import { normalizeForMatch, toAsciiDigits } from '../nlu/normalize.js';
import { Composer } from './composer.js';
import { orgVars, say, type TurnContext } from './context.js';

const HANDOFF_NOTICE_MS = 10 * 60 * 1000;

/** Runs the classifier once per turn. */
async function classify(ctx: TurnContext): Promise<void> {
  ctx.nlu ??= await ctx.deps.classifier.classify(ctx.text, ctx.state.language);
}

/** Intent → handler. Every intent has exactly one route. */
const ROUTES: Record<Intent, (ctx: TurnContext) => void | Promise<void>> = {
  greeting: greet,
  thanks: thank,
  inquiry: answerInquiry,
  status: answerStatus,
  complaint: redirectToTajawob,
  suggestion: redirectToTajawob,
  report: redirectToTajawob,
  // A bare acknowledgement or a stray word ("ok", «نعم», a number) gets the menu; anything longer
  // that the bot cannot place is an unanswerable inquiry: the approved reply.
  unknown: (ctx) => ((ctx.text.match(/[\p{L}\p{N}]+/gu) ?? []).length < 3 ? greetAgain(ctx) : redirectToTajawob(ctx)),
  agent: requestAgent,
  procedural_request: (ctx) => startIntake(ctx, ctx.nlu?.service ?? null),
};

/** The menu again, for a message too short to mean anything. */
function greetAgain(ctx: TurnContext): void {
  say(ctx, 'menu', {}, 'greeting');
}

/** Intents a redirect-only channel (X) answers itself; everything else gets the approved reply. */
const REDIRECT_ONLY_ALLOWED = new Set<Intent>(['greeting', 'thanks', 'inquiry']);

/** The numbered main menu (1–4) when no dialogue is open. */
const MENU_ROUTES: Record<string, (ctx: TurnContext) => void | Promise<void>> = {
  '1': (ctx) => answerTopics(ctx, ['services']),
  '2': (ctx) => startIntake(ctx, null),
  '3': answerStatus,
  '4': requestAgent,
};

/** Builds the message pipeline: guard → handoff gate → language → status/dialogue → intent → route. */
export function buildPipeline(): Composer<TurnContext> {
  return new Composer<TurnContext>()
    .use(async (ctx, next) => {
      // Handoff gate: while the call centre holds the chat the bot stays silent (the agent sees the transcript).
      const conv = ctx.conversation ?? (await ctx.deps.conversations.get(ctx.key));
      if (conv?.owner === 'agent') return;
      if (conv?.owner === 'queue') {
        if (isMenu(ctx.text)) {
          await ctx.deps.conversations.dequeue(ctx.key);
          const d = ctx.state.dialogue;
          const service = d?.serviceId ? ctx.deps.services.get(d.serviceId) : undefined;
          const question = d ? resumeQuestion(d) : undefined;
          if (!service || !question) return greet(ctx);
          say(ctx, 'resume_dialogue', { service: service.name[ctx.language] }, 'intake');
          return say(ctx, question, {}, 'intake');
        }
        const last = ctx.state.handoffNoticeAt ?? 0;
        if (ctx.now.getTime() - last >= HANDOFF_NOTICE_MS) {
          ctx.state.handoffNoticeAt = ctx.now.getTime();
          say(ctx, 'handoff_waiting', {}, 'handoff');
        }
        return;
      }
      await next();
    })
    .use(async (ctx, next) => {
      ctx.language = dialogueLanguage(ctx);
      ctx.state.language = ctx.language;
      await next();
    })
    .use(async (ctx, next) => {
      const d = ctx.state.dialogue;
      if (d) {
        if (await continueIntake(ctx, () => classify(ctx))) return;
        await next();
        // The message was something else and was handled as that: the form waits, its question comes again.
        // Who holds the chat changes within a turn only by this turn (its conversation's turns and agent actions run one at a time).
        if (ctx.state.dialogue === d && (ctx.conversation ?? (await ctx.deps.conversations.get(ctx.key)))?.owner !== 'queue') remindIntake(ctx);
        return;
      }
      if (!ctx.state.clarification && continuesStatus(ctx)) return answerStatus(ctx);
      await next();
    })
    .use(async (ctx) => {
      // An answer to "did you mean…": route the original message by the choice. Never ask twice in a row.
      const pending = ctx.state.clarification;
      delete ctx.state.clarification;
      if (pending) {
        const choice = await pickChoice(ctx, pending.choices, () => classify(ctx));
        if (choice) return routeOriginal(ctx, pending.text, choice);
      }
      const bare = toAsciiDigits(normalizeForMatch(ctx.text));
      const menu = MENU_ROUTES[bare];
      if (menu) return menu(ctx);
      if (isMenu(ctx.text)) return greet(ctx);
      await classify(ctx);
      const choices = pending || ctx.state.dialogue || ctx.channel.redirectOnly ? null : clarificationChoices(ctx.nlu!);
      if (choices) return askClarification(ctx, choices);
      await route(ctx);
    });
}

/** Routes the turn by its classification (redirect-only channels answer only greetings, thanks and inquiries). */
async function route(ctx: TurnContext): Promise<void> {
  const intent = ctx.nlu!.intent;
  ctx.state.lastIntent = intent;
  if (ctx.channel.redirectOnly && !REDIRECT_ONLY_ALLOWED.has(intent)) {
    redirectToTajawob(ctx);
    if (intent === 'procedural_request') say(ctx, 'redirect_portal', { ...orgVars(ctx), whatsapp: ctx.deps.config.organisation.callCentre }, 'notice');
    return;
  }
  await ROUTES[intent](ctx);
}

/** Handles the message that was clarified as the chosen intent; the transcript keeps the answer as written. */
async function routeOriginal(ctx: TurnContext, original: string, choice: { intent: Intent; service: string | null }): Promise<void> {
  const answer = ctx.text;
  ctx.text = original;
  ctx.nlu = { language: ctx.language, intent: choice.intent, service: choice.service, confidence: 1 };
  try {
    await route(ctx);
  } finally {
    ctx.text = answer;
  }
}

/** Fields whose valid answer (a name, an ID, a phone, an e-mail) says nothing about the writer's language. */
const IDENTITY_FIELDS = new Set<string>(['name', 'civilId', 'phone', 'email']);

/**
 * The language of this turn. Inside a form the dialogue keeps its language unless the resident
 * clearly writes prose in the other one: one Latin-letter answer (a name, an e-mail, "ok") does not flip it.
 */
function dialogueLanguage(ctx: TurnContext): TurnContext['language'] {
  const detected = detectLanguage(ctx.text, ctx.state.language);
  const d = ctx.state.dialogue;
  const current = ctx.state.language;
  if (!d || !current || detected === current) return detected;
  // A valid answer to the question asked (a name, an e-mail, "ok") says nothing about the language.
  const a = d.awaiting;
  if (a === 'confirm' ? isConfirm(ctx.text) : IDENTITY_FIELDS.has(a) && FIELD_VALIDATORS[a as FieldId](ctx.text) !== undefined) return current;
  return (ctx.text.match(/\p{L}{2,}/gu) ?? []).length >= 3 ? detected : current;
}
