import { say, type TurnContext } from '../engine/context.js';
import { formatInstant } from './format.js';

/** The resident asks for a person: queue the chat for the call centre, saying when agents are there. */
export async function requestAgent(ctx: TurnContext): Promise<void> {
  const { conversations, calendar, config, events } = ctx.deps;
  // The turn's view of who holds the chat follows (the dialogue's reminder is not given once queued).
  ctx.conversation = await conversations.enqueue(ctx.key, ctx.now);
  events.emit('handoff.queued', { key: ctx.key, at: ctx.now });
  const hours = config.defaults.agentHours;
  if (calendar.isOpen(hours, ctx.now)) return say(ctx, 'handoff_queued', {}, 'handoff');
  say(ctx, 'handoff_closed', { opens: formatInstant(ctx, calendar.nextOpening(hours, ctx.now), true) }, 'handoff');
}
