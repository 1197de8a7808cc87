import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import { InputError, StartupError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { AddressLimiter } from '../security/address-limiter.js';
import {
  bodyTimeout,
  clientAddress,
  declaredLengthCap,
  isLoopbackClient,
  limitKey,
  rateLimitPerAddress,
  rateRefusal,
  refusal,
  watchBody,
} from '../security/http-guard.js';
import { Refusals } from '../security/refusals.js';
import { DEFAULT_SECURITY, type SecuritySettings } from '../security/settings.js';

/** The route pattern of a request served by a direct route (it passes no router that would set `req.route`). */
const DIRECT_PATTERN = Symbol('direct route pattern');
type DirectRequest = Request & { [DIRECT_PATTERN]?: string };

/** The route pattern that refused a request (bounded label: patterns come from code and configuration). */
const routeOf = (req: DirectRequest): string => (typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : (req[DIRECT_PATTERN] ?? 'any'));

/**
 * A hot route served ahead of Express's router stack (the web chat's message POST): a request whose
 * method and path match `path` exactly runs the app's guards (blocked address, rate limit, body cap
 * and deadline), then `handlers`, with errors to the one error handler; anything else, near misses
 * included (a trailing slash, another case), goes through the router, where the same route is
 * mounted too.
 */
export interface DirectRoute {
  method: string;
  /** Matches the path without its query; its groups are the parameters named in `params`. */
  path: RegExp;
  params: readonly string[];
  /** The Express pattern of the same route (the refusal counter's label). */
  pattern: string;
  handlers: readonly RequestHandler[];
  /** The route without Express: what it accepts never meets Express's request and response objects. */
  plain?: PlainRoute;
}

/**
 * A direct route's plain form (bot/http/plain-json.ts reads and writes its JSON). A request it accepts
 * passes the same guards in their plain form (blocked address, rate limit, body cap, body deadline) and
 * is served on node:http's own objects; refusals and errors go to the one error handler.
 */
export interface PlainRoute {
  /** Decides from the request line and headers alone, with no side effect; a request not accepted takes the Express chain. */
  accepts(req: IncomingMessage, params: readonly string[]): boolean;
  /** Serves an accepted request once the guards let it through; a rejection goes to the error handler. */
  serve(req: IncomingMessage, res: ServerResponse, params: readonly string[], io: PlainIo): Promise<void>;
}

/** What the app tells a plain route about its request. */
export interface PlainIo {
  /** The client's address as Express computes it (`req.ip`: the forwarded one behind a trusted loopback proxy). */
  readonly address: string;
}

/** Runs `handlers` in order as Express does (an error or a rejected promise skips to `done(err)`). */
function runChain(handlers: readonly RequestHandler[], req: Request, res: Response, done: (err?: unknown) => void): void {
  let i = 0;
  const next: NextFunction = (err?: unknown) => {
    if (err !== undefined && err !== null && err !== 'route' && err !== 'router') return done(err);
    const h = handlers[i++];
    if (!h) return done();
    try {
      const r = h(req, res, next) as unknown;
      if (r instanceof Promise) r.then(undefined, (e: unknown) => next(e ?? new Error('rejected')));
    } catch (e) {
      next(e);
    }
  };
  next();
}

/**
 * Maps refusals (InputError), body-parser and unexpected errors to bounded JSON answers (no stack,
 * no echo of input). Every 4xx is counted in `tawasul_http_refused_total`, logged at a bounded rate
 * and charged to the client's address (too many and the address is blocked for a while).
 */
const errorHandler =
  (logger: Logger, refusals: Refusals, offenders: AddressLimiter, limitLoopback: boolean): ErrorRequestHandler =>
  (err, req, res, _next) => {
    const e = err as { type?: string; status?: number; name?: string; message?: string; retryAfterSec?: number };
    const input = err instanceof InputError ? err : undefined;
    const status = input ? input.status : typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
    const reason = input
      ? input.reason
      : e.type === 'entity.too.large'
        ? 'payload_too_large'
        : e.type === 'entity.parse.failed'
          ? 'malformed_json'
          : e.type === 'encoding.unsupported' || e.type === 'charset.unsupported'
            ? 'unsupported_encoding'
            : e.type === 'request.aborted'
              ? 'aborted'
              : status === 500
                ? 'internal_error'
                : 'bad_request';
    if (status === 500) logger.error({ err: { name: e.name, message: e.message } }, 'request failed');
    else {
      refusals.record(reason, routeOf(req));
      if (limitLoopback || !isLoopbackClient(req)) offenders.hit(limitKey(clientAddress(req)));
    }
    if (res.headersSent) return;
    // A body left unread must not be parsed as the next request of a kept-alive connection.
    if (!req.complete) res.set('Connection', 'close');
    if (e.retryAfterSec) res.set('Retry-After', String(e.retryAfterSec));
    res.status(status).json({ error: { reason, message: status === 500 ? 'internal error' : (e.message ?? reason).slice(0, 200) } });
  };

/**
 * Weak ETag of a response body, except for JSON: API answers are computed per request and never
 * revalidated, so hashing each of them was wasted work; pages and documents keep their ETag.
 */
export function weakEtagExceptJson(body: Buffer | string, encoding?: BufferEncoding): string | undefined {
  // A string is looked at as it is (no copy into a Buffer just to read its first character).
  const at = typeof body === 'string' ? (k: number): number => body.charCodeAt(k) : (k: number): number => body[k]!;
  let i = 0;
  while (i < body.length && (at(i) === 0x20 || at(i) === 0x0a || at(i) === 0x0d || at(i) === 0x09)) i++;
  if (i < body.length && (at(i) === 0x7b || at(i) === 0x5b)) return undefined; // '{' or '[': JSON
  const buf = typeof body === 'string' ? Buffer.from(body, encoding) : body;
  return `W/"${buf.length.toString(16)}-${createHash('sha1').update(buf).digest('base64').slice(0, 27)}"`;
}

/** Options of the HTTP application. */
export interface HttpAppOptions {
  settings?: SecuritySettings;
  /** Registry served at /metrics; the refusal counter is added to it. */
  registry?: Registry;
}

/** What `mount` may add besides routers: hot routes served ahead of the router stack. */
export type DirectRoutes = (route: DirectRoute) => void;

/**
 * Builds the HTTP application: per-address limits (offenders blocked, then every request counted),
 * the body cap and deadline, health, the given routers, then the error handler.
 */
export function createHttpApp(logger: Logger, mount: (app: Express, direct: DirectRoutes) => void, options: HttpAppOptions = {}): Express {
  const settings = options.settings ?? DEFAULT_SECURITY;
  const refusals = new Refusals(logger);
  if (options.registry) refusals.register(options.registry);
  const offenders = new AddressLimiter(settings.refusalsPerAddress);
  const perAddress = new AddressLimiter(settings.perAddress);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', weakEtagExceptJson);
  app.set('trust proxy', 'loopback');
  app.locals.refusals = refusals;
  const guards: RequestHandler[] = [
    (req, _res, next) => {
      const wait = offenders.blocked(limitKey(clientAddress(req)));
      next(wait ? refusal(429, 'blocked', 'too many refused requests from this address; try again later', wait) : undefined);
    },
    rateLimitPerAddress(perAddress, settings.limitLoopback),
    declaredLengthCap(settings.maxBodyBytes),
    bodyTimeout(settings.bodyTimeoutMs, refusals),
  ];
  app.use(...guards);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const direct: DirectRoute[] = [];
  mount(app, (route) => direct.push({ ...route, handlers: [...guards, ...route.handlers] }));
  const notFound: RequestHandler = (_req, res) => {
    res.status(404).json({ error: { reason: 'not_found', message: 'no such route' } });
  };
  const onError = errorHandler(logger, refusals, offenders, settings.limitLoopback);
  app.use(notFound);
  app.use(onError);
  if (direct.length > 0) serveDirect(app, direct, notFound, onError, { settings, refusals, offenders, perAddress });
  return app;
}

/** The guards' state, shared by the Express chain and the plain routes. */
interface GuardState {
  settings: SecuritySettings;
  refusals: Refusals;
  offenders: AddressLimiter;
  perAddress: AddressLimiter;
}

/** Gives a plain request what Express's `app.handle` gives every request (prototypes, back references, locals, params). */
function asExpress(app: Express, route: DirectRoute, params: readonly string[], req: IncomingMessage, res: ServerResponse): [DirectRequest, Response] {
  const r = req as unknown as DirectRequest;
  const s = res as unknown as Response;
  r.res = s;
  s.req = r;
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
  s.locals ??= Object.create(null) as Response['locals'];
  r.originalUrl = req.url!;
  r.baseUrl = '';
  const named: Record<string, string> = {};
  for (let i = 0; i < route.params.length; i++) named[route.params[i]!] = params[i]!;
  r.params = named;
  r[DIRECT_PATTERN] = route.pattern;
  return [r, s];
}

/**
 * Serves the direct routes before the router: a request a plain route accepts is served without Express
 * (`servePlain`); otherwise what Express's `app.handle` does for every request, then the route's chain.
 * Other requests take the router.
 */
function serveDirect(app: Express, routes: readonly DirectRoute[], notFound: RequestHandler, onError: ErrorRequestHandler, guards: GuardState): void {
  const handle = (app as unknown as { handle: (req: IncomingMessage, res: ServerResponse, cb?: unknown) => void }).handle.bind(app);
  (app as unknown as { handle: typeof handle }).handle = (req, res, cb) => {
    const q = req.url?.indexOf('?') ?? -1;
    const path = q < 0 ? req.url : req.url?.slice(0, q);
    for (const route of routes) {
      const m = req.method === route.method && path !== undefined ? route.path.exec(path) : null;
      if (!m) continue;
      const params = m.slice(1, route.params.length + 1);
      if (route.plain && servePlain(app, route, route.plain, params, req, res, onError, guards)) return;
      const [r, s] = asExpress(app, route, params, req, res);
      runChain(route.handlers, r, s, (err) => (err === undefined ? notFound(r, s, () => undefined) : onError(err, r, s, () => undefined)));
      return;
    }
    handle(req, res, cb);
  };
}

/**
 * Serves a request of a plain route when it accepts it: the guards of `createHttpApp` in their order and
 * plain form (a blocked address or a body over the cap is left to the Express chain, which refuses it
 * before any side effect here), then the route. False when the Express chain must serve it.
 */
function servePlain(
  app: Express,
  route: DirectRoute,
  plain: PlainRoute,
  params: readonly string[],
  req: IncomingMessage,
  res: ServerResponse,
  onError: ErrorRequestHandler,
  g: GuardState,
): boolean {
  if (!plain.accepts(req, params)) return false;
  const declared = req.headers['content-length'];
  if (declared !== undefined && !(Number(declared) <= g.settings.maxBodyBytes)) return false;
  // Express's own `req.ip` (its trust-proxy function), read on the plain request.
  const address =
    (Reflect.get(app.request, 'ip', { app, headers: req.headers, socket: req.socket }) as string | undefined) ?? req.socket.remoteAddress ?? 'unknown';
  if (g.offenders.blocked(limitKey(address))) return false;
  const fail = (err: unknown): void => {
    const [r, s] = asExpress(app, route, params, req, res);
    onError(err, r, s, () => undefined);
  };
  const limited = rateRefusal(g.perAddress, g.settings.limitLoopback, address);
  if (limited) {
    fail(limited);
    return true;
  }
  watchBody(req, res, g.settings.bodyTimeoutMs, g.refusals);
  plain.serve(req, res, params, { address }).then(undefined, (e: unknown) => fail(e ?? new Error('rejected')));
  return true;
}

/** Listens with the slow-client timeouts; a port in use (or refused) is a StartupError naming it. */
export async function listenHttp(app: Express, port: number, host: string, settings: SecuritySettings = DEFAULT_SECURITY): Promise<Server> {
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      connectionsCheckingInterval: settings.timeoutCheckMs,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new StartupError(`port ${port} on ${host} is already in use (another Tawasul or another program); choose another with --port or PORT`)
          : err.code === 'EACCES'
            ? new StartupError(`port ${port} on ${host} needs privileges this process does not have; choose a port above 1023`)
            : new StartupError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return server;
}

export type { Router };
