import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Field paths that may carry personal data; pino removes them before anything is written.
 * Code must still log ids and kinds, never message text or sender details.
 */
export const REDACT_PATHS = [
  'text',
  '*.text',
  'from',
  '*.from',
  'phone',
  '*.phone',
  'civilId',
  '*.civilId',
  'name',
  '*.name',
  'email',
  '*.email',
  'address',
  '*.address',
  'raw',
  '*.raw',
  'body',
  '*.body',
  'applicant',
  '*.applicant',
  'client',
  '*.client',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Creates the process logger (JSON lines, personal data redacted). */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.TAWASUL_LOG_LEVEL ?? 'info';
  const opts = { level, redact: { paths: REDACT_PATHS, remove: true }, base: { app: 'tawasul' } };
  return options.destination ? pino(opts, options.destination as DestinationStream) : pino(opts);
}

/** A logger that writes nothing (tests, CLI chat). */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
