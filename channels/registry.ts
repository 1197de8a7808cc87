/**
 * The typed registry of channel adapters: `type` in config/channels.yaml → definition. Adding a
 * channel means a new folder under channels/ and one line here.
 */
import type { ChannelDefinition } from './types.js';
import { webchat } from './webchat/index.js';

export const channelRegistry = {
  webchat,
} satisfies Record<string, ChannelDefinition>;

/** A registered adapter type. */
export type ChannelType = keyof typeof channelRegistry;
