/**
 * Middleware of the HTTP edge against hostile clients: per-address rate limits, a deadline for
 * request bodies, and signed bodies verified while they stream in (refused before buffering when
 * the signature header is missing or malformed or the declared length is over the cap).
 * Refusals go to `next(InputError)`, so that the one error-to-HTTP mapping (bot/http/server.ts)
 * answers, counts and logs them.
 */
import type { Hmac } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { InputError } from '../core/errors.js';
import { sendJson } from '../http/plain-json.js';
import { AddressLimiter } from './address-limiter.js';
import type { Refusals } from './refusals.js';
import { type RateLimit, securitySettings } from './settings.js';

/** The client's address as Express sees it (the forwarded one behind a trusted loopback proxy). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The key a client is limited by: its IPv4 address, or the /64 network of an IPv6 one (one host can use a whole /64). */
export function limitKey(address: string): string {
  if (!address.includes(':') || /^::ffff:\d/i.test(address)) return address.replace(/^::ffff:/i, '');
  const [head = '', tail = ''] = address.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** True for a loopback address. */
export const isLoopbackAddress = (address: string): boolean => /^(127\.|::1$|::ffff:127\.)/.test(address);

/** True for a direct loopback connection (no forwarded address): local tools, tests. */
export function isLoopbackClient(req: Request): boolean {
  return isLoopbackAddress(clientAddress(req));
}

/** A refusal with an optional Retry-After (seconds). */
export function refusal(status: number, reason: string, message: string, retryAfterSec?: number): InputError {
  return Object.assign(new InputError(message, status, reason), retryAfterSec ? { retryAfterSec } : {});
}

/** Limits requests per client address (loopback ones only with `limitLoopback`); over the limit, 429 with Retry-After. */
export function rateLimitPerAddress(limit: RateLimit | AddressLimiter, limitLoopback = false, reason = 'rate_limited'): RequestHandler {
  const limiter = limit instanceof AddressLimiter ? limit : new AddressLimiter(limit);
  return (req, _res, next) => next(rateRefusal(limiter, limitLoopback, clientAddress(req), reason));
}

/** Counts a request from `address` against `limiter`: the 429 refusal when over the limit (loopback not counted unless `limitLoopback`). */
export function rateRefusal(limiter: AddressLimiter, limitLoopback: boolean, address: string, reason = 'rate_limited'): InputError | undefined {
  if (!limitLoopback && isLoopbackAddress(address)) return undefined;
  const wait = limiter.hit(limitKey(address));
  return wait ? refusal(429, reason, 'too many requests from this address; try again later', wait) : undefined;
}

/** The limit on web chat conversations created per client address (TAWASUL_RATE_LIMIT_CONVERSATIONS). */
export function conversationCreationLimit(env: NodeJS.ProcessEnv): RequestHandler {
  const s = securitySettings(env);
  return rateLimitPerAddress(s.conversationsPerAddress, s.limitLoopback);
}

/** Refuses a declared Content-Length over `maxBytes` at once (413, connection closed), before any parser waits for the body. */
export function declaredLengthCap(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || Number(declared) <= maxBytes) return next();
    res.set('Connection', 'close');
    next(refusal(413, 'payload_too_large', `bodies are limited to ${maxBytes} bytes`));
  };
}

/** Answers 408 and closes the connection when a request body is not received within `ms`. */
export function bodyTimeout(ms: number, refusals: Refusals): RequestHandler {
  return (req, res, next) => {
    watchBody(req, res, ms, refusals);
    next();
  };
}

const BODY_TIMEOUT = { error: { reason: 'body_timeout', message: 'the request body was not received in time' } };
const CLOSE = ['Connection', 'close'];

/** The body deadline of `bodyTimeout` on a plain request: 408 and the connection closed when the body is not in within `ms`. */
export function watchBody(req: IncomingMessage, res: ServerResponse, ms: number, refusals: Refusals): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody || req.complete) return;
  const timer = setTimeout(() => {
    if (req.complete || res.headersSent) return;
    refusals.record('body_timeout', 'any');
    res.once('finish', () => req.socket?.destroy());
    sendJson(res, 408, BODY_TIMEOUT, CLOSE);
  }, ms);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  req.once('end', clear);
  req.once('close', clear);
  res.once('finish', clear);
}

/** How a provider signs its deliveries. */
export interface BodySignature {
  /** Header carrying the signature (lower case). */
  header: string;
  /** The digest bytes announced by the header, or undefined when the header is malformed. */
  parse(value: string): Buffer | undefined;
  /** A fresh HMAC over the raw body. */
  hmac(): Hmac;
  /** Largest accepted body. */
  maxBytes: number;
}

/**
 * Reads the raw body into `req.body` (a Buffer) only when its signature matches: missing or
 * malformed header → 401 and Content-Length over the cap → 413 before a byte is read; the HMAC is
 * computed while the body streams in, which stops at the cap (413); a mismatch → 403.
 */
export function signedBody(sig: BodySignature): RequestHandler {
  return (req: Request, res: Response, next) => {
    const fail = (status: number, reason: string, message: string): void => {
      res.set('Connection', 'close');
      next(refusal(status, reason, message));
    };
    const value = req.get(sig.header);
    if (!value) return fail(401, 'missing_signature', `${sig.header} is required`);
    const expected = sig.parse(value.trim());
    if (!expected) return fail(401, 'malformed_signature', `${sig.header} is malformed`);
    const declared = req.headers['content-length'];
    if (declared !== undefined && !(Number(declared) <= sig.maxBytes)) return fail(413, 'payload_too_large', `bodies are limited to ${sig.maxBytes} bytes`);
    const hmac = sig.hmac();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) return next(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > sig.maxBytes) {
        req.pause();
        res.set('Connection', 'close');
        return finish(refusal(413, 'payload_too_large', `bodies are limited to ${sig.maxBytes} bytes`));
      }
      hmac.update(chunk);
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const digest = hmac.digest();
      if (digest.length !== expected.length || !timingSafeEqual(digest, expected)) {
        return finish(refusal(403, 'bad_signature', `${sig.header} does not match the body`));
      }
      req.body = Buffer.concat(chunks, size);
      finish();
      next();
    };
    const onError = (): void => finish(refusal(400, 'aborted', 'the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}
