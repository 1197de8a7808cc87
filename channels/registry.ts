/**
 * The typed registry of channel adapters: `type` in config/channels.yaml → definition. Adding a
 * channel means a new folder under channels/ and one line here.
 */
import type { ChannelDefinition } from './types.js';
import { botframework } from './botframework/index.js';
import { email } from './email/index.js';
import { webchat } from './webchat/index.js';
import { whatsappCloud } from './whatsapp-cloud/index.js';
import { whatsappWeb } from './whatsapp-web/index.js';
import { x } from './x/index.js';

export const channelRegistry = {
  webchat,
  'whatsapp-cloud': whatsappCloud,
  'whatsapp-web': whatsappWeb,
  botframework,
  x,
  email,
} satisfies Record<string, ChannelDefinition>;

/** A registered adapter type. */
export type ChannelType = keyof typeof channelRegistry;
