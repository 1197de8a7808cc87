/**
 * The part of whatsapp-web.js the pilot adapter uses, as an interface so that tests replace the
 * real Client (a headless chromium driving WhatsApp Web) with a fake emitting the library's
 * documented events (`qr`, `ready`, `message`, `disconnected`, `auth_failure`).
 */
import { join } from 'node:path';

/** A message as whatsapp-web.js delivers it on `message` (the fields used here). */
export interface WwebMessage {
  id: { _serialized: string; fromMe?: boolean };
  /** Chat id: `<digits>@c.us` (a user), `<id>@lid`, `<id>@g.us` (a group), `status@broadcast`. */
  from: string;
  fromMe: boolean;
  body: string;
  /** MessageTypes: `chat`, `location`, `image`, `document`, `sticker`, `ptt`, `reaction`, `poll_creation`, ... */
  type: string;
  timestamp?: number;
  isStatus?: boolean;
  broadcast?: boolean;
  hasMedia?: boolean;
  location?: { latitude: number | string; longitude: number | string; name?: string; address?: string; description?: string };
  downloadMedia?(): Promise<{ mimetype: string; data: string; filename?: string | null; filesize?: number | null } | undefined>;
}

/** The client surface the adapter needs. */
export interface WwebClient {
  on(event: 'qr', listener: (qr: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'message', listener: (msg: WwebMessage) => void): unknown;
  on(event: 'disconnected', listener: (reason: string) => void): unknown;
  on(event: 'auth_failure', listener: (message: string) => void): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: string): Promise<{ id?: { _serialized?: string } } | undefined>;
}

/** What a client factory gets. */
export interface WwebClientOptions {
  /** LocalAuth session directory: `<dataDir>/wwebjs`. */
  dataPath: string;
  clientId: string;
  executablePath: string;
}

/** Builds the real whatsapp-web.js Client (loaded lazily: it pulls in puppeteer). */
export async function realClient(o: WwebClientOptions): Promise<WwebClient> {
  const wweb = (await import('whatsapp-web.js')).default;
  return new wweb.Client({
    authStrategy: new wweb.LocalAuth({ clientId: o.clientId, dataPath: o.dataPath }),
    puppeteer: {
      executablePath: o.executablePath,
      headless: true,
      // Debian's chromium, no puppeteer download (.puppeteerrc.cjs: skipDownload).
      args: ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
    },
  }) as unknown as WwebClient;
}

/** The session directory under the data directory. */
export function sessionDir(dataDir: string): string {
  return join(dataDir, 'wwebjs');
}

/** Message types that are notifications, not resident messages: ignored silently. */
export const SYSTEM_TYPES = new Set([
  'e2e_notification',
  'notification',
  'notification_template',
  'protocol',
  'gp2',
  'group_notification',
  'broadcast_notification',
  'revoked',
  'ciphertext',
  'debug',
  'hsm',
]);
/** Message types answered as text. */
export const TEXT_TYPES = new Set(['chat', 'buttons_response', 'list_response', 'template_button_reply']);
