import { createHash } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { Logger } from '../core/logger.js';

/** Maps body-parser and unexpected errors to bounded JSON answers (no stack, no echo of input). */
const errorHandler = (logger: Logger): ErrorRequestHandler => (err, _req, res, _next) => {
  const e = err as { type?: string; status?: number; name?: string; message?: string };
  const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
  const reason =
    e.type === 'entity.too.large' ? 'payload_too_large'
      : e.type === 'entity.parse.failed' ? 'malformed_json'
        : e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' ? 'unsupported_encoding'
          : status === 500 ? 'internal_error' : 'bad_request';
  if (status === 500) logger.error({ err: { name: e.name, message: e.message } }, 'request failed');
  if (res.headersSent) return;
  res.status(status).json({ error: { reason, message: status === 500 ? 'internal error' : (e.message ?? reason).slice(0, 200) } });
};

/**
 * Weak ETag of a response body, except for JSON: API answers are computed per request and never
 * revalidated, so hashing each of them was wasted work; pages and documents keep their ETag.
 */
export function weakEtagExceptJson(body: Buffer | string, encoding?: BufferEncoding): string | undefined {
  const buf = typeof body === 'string' ? Buffer.from(body, encoding) : body;
  let i = 0;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  if (buf[i] === 0x7b || buf[i] === 0x5b) return undefined; // '{' or '[': JSON
  return `W/"${buf.length.toString(16)}-${createHash('sha1').update(buf).digest('base64').slice(0, 27)}"`;
}

/** Builds the HTTP application: health, then the given routers, then the error handler. */
export function createHttpApp(logger: Logger, mount: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', weakEtagExceptJson);
  app.set('trust proxy', 'loopback');
  app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  mount(app);
  app.use((_req, res) => { res.status(404).json({ error: { reason: 'not_found', message: 'no such route' } }); });
  app.use(errorHandler(logger));
  return app;
}

export type { Router };
