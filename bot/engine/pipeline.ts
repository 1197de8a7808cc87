import { Composer } from './composer.js';
import { say, orgVars, type TurnContext } from './context.js';
import { detectLanguage } from '../nlu/language.js';
import { normalizeForMatch, toAsciiDigits } from '../nlu/normalize.js';
import { greet, redirectToTajawob, thank } from '../handlers/small-talk.js';
import { answerInquiry, answerTopics } from '../handlers/inquiry.js';
import { answerStatus, continuesStatus } from '../handlers/status.js';
import { requestAgent } from '../handlers/handoff.js';
import { continueIntake, resumeQuestion, startIntake } from '../handlers/intake.js';
import { isMenu } from '../handlers/intake-fields.js';
import type { Intent } from '../core/types.js';

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
      const conv = ctx.deps.conversations.get(ctx.key);
      if (conv?.owner === 'agent') return;
      if (conv?.owner === 'queue') {
        if (isMenu(ctx.text)) {
          ctx.deps.conversations.dequeue(ctx.key);
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
      ctx.language = detectLanguage(ctx.text, ctx.state.language);
      ctx.state.language = ctx.language;
      await next();
    })
    .use(async (ctx, next) => {
      if (ctx.state.dialogue) {
        if (await continueIntake(ctx, () => classify(ctx))) return;
      } else if (continuesStatus(ctx)) {
        return answerStatus(ctx);
      }
      await next();
    })
    .use(async (ctx) => {
      const bare = toAsciiDigits(normalizeForMatch(ctx.text));
      const menu = MENU_ROUTES[bare];
      if (menu) return menu(ctx);
      if (isMenu(ctx.text)) return greet(ctx);
      await classify(ctx);
      const intent = ctx.nlu!.intent;
      ctx.state.lastIntent = intent;
      if (ctx.channel.redirectOnly && !REDIRECT_ONLY_ALLOWED.has(intent)) {
        redirectToTajawob(ctx);
        if (intent === 'procedural_request') say(ctx, 'redirect_portal', { ...orgVars(ctx), whatsapp: ctx.deps.config.organisation.callCentre }, 'notice');
        return;
      }
      await ROUTES[intent](ctx);
    });
}
