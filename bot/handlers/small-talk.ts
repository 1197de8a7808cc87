import { orgVars, say, type TurnContext } from '../engine/context.js';
import { normalizeForMatch } from '../nlu/normalize.js';

const SALAM = /السلام عليكم|سلام عليكم|salam|asalam|assalam/;

/** Greeting: answers the salam properly, then offers the menu. */
export function greet(ctx: TurnContext): void {
  const vars = { ...orgVars(ctx), menu: ctx.deps.templates.render(ctx.language, 'menu') };
  say(ctx, SALAM.test(normalizeForMatch(ctx.text)) ? 'greeting' : 'greeting_hello', vars, 'greeting');
}

/** Thanks: a short answer. */
export function thank(ctx: TurnContext): void {
  say(ctx, 'thanks', {}, 'thanks');
}

/** Complaint, suggestion, report or an unanswerable question: the approved reply, verbatim. */
export function redirectToTajawob(ctx: TurnContext): void {
  ctx.replies.push({ text: ctx.deps.templates.approvedReply(ctx.language), language: ctx.language, kind: 'tajawob' });
}
