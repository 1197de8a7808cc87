/**
 * The typed registry of channel adapters: `type` in config/channels.yaml → a loader of its
 * definition. Loaders import the adapter's module on demand, so a disabled channel's dependencies
 * (botbuilder, imapflow, twitter-api-v2, …) cost no start-up time. Adding a channel means a new folder
 * under channels/ and one line here.
 */
import type { ChannelDefinition } from './types.js';

/** Imports one adapter module and returns its definition. */
export type ChannelLoader = () => Promise<ChannelDefinition>;

export const channelRegistry = {
  webchat: async () => (await import('./webchat/index.js')).webchat,
  'whatsapp-cloud': async () => (await import('./whatsapp-cloud/index.js')).whatsappCloud,
  'whatsapp-web': async () => (await import('./whatsapp-web/index.js')).whatsappWeb,
  botframework: async () => (await import('./botframework/index.js')).botframework,
  x: async () => (await import('./x/index.js')).x,
  email: async () => (await import('./email/index.js')).email,
} satisfies Record<string, ChannelLoader>;

/** A registered adapter type. */
export type ChannelType = keyof typeof channelRegistry;
