/**
 * Who is calling the console API: a signed-in person (session cookie + CSRF header on every
 * state-changing call) or a machine client (bearer token bound to a role). Also the sign-in,
 * who-am-I and sign-out routes, and the role guard.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../engine/context.js';
import { fail, parse } from '../http/validate.js';
import type { AuditTrail } from '../store/conversation-store.js';
import { type Account, type AccountStore, LOCKOUT, type Role } from './accounts.js';
import type { Session, SessionStore } from './sessions.js';

/** The caller of a console route. */
export interface Principal {
  /** How the audit trail names them: `console:<username>` or `token:<id>`. */
  actor: string;
  /** The agent id used for chats (the username, or the token's id). */
  username: string;
  displayName: string;
  role: Role;
  departments: string[];
  via: 'session' | 'token';
  accountId?: number;
}

/** A bearer token for a machine client, bound to a role. */
export interface RoleToken {
  id: string;
  role: Role;
  token: string;
}

/** The cookie holding the session token. */
export const SESSION_COOKIE = 'tawasul_console';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Reads one cookie from the Cookie header. */
export function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The principal of the request (set by `authenticate`). */
export const principal = (res: Response): Principal => res.locals.principal as Principal;

const fromAccount = (a: Account, via: 'session'): Principal => ({
  actor: `console:${a.username}`,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  departments: a.departments,
  via,
  accountId: a.id,
});

/** What authentication needs. */
export interface AuthDeps {
  accounts: AccountStore;
  sessions: SessionStore;
  tokens: RoleToken[];
  clock: Clock;
  audit: AuditTrail;
}

/** Middleware: 401 without a valid session or token; 403 `csrf` on a state-changing session call without the session's CSRF token. */
export function authenticate(d: AuthDeps) {
  const tokens = d.tokens.map((t) => ({ ...t, hash: digest(t.token) }));
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (bearer) {
      const h = digest(bearer[1]!);
      const t = tokens.find((x) => timingSafeEqual(x.hash, h));
      if (!t) return fail(res, 401, 'unauthorized', 'unknown bearer token');
      res.locals.principal = { actor: `token:${t.id}`, username: t.id, displayName: t.id, role: t.role, departments: [], via: 'token' } satisfies Principal;
      return next();
    }
    const token = cookie(req, SESSION_COOKIE);
    let session: Session | undefined;
    let account: Account | undefined;
    try {
      session = token ? await d.sessions.touch(token) : undefined;
      account = session && (await d.accounts.get(session.accountId));
    } catch (err) {
      return next(err);
    }
    if (!session || !account || account.disabled) {
      if (token) res.clearCookie(SESSION_COOKIE, { path: '/' });
      return fail(res, 401, token ? 'session_expired' : 'unauthorized', token ? 'your session has expired: sign in again' : 'sign in first');
    }
    if (!SAFE.has(req.method)) {
      const sent = req.get('x-csrf-token') ?? '';
      if (sent.length !== session.csrf.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf))) {
        return fail(res, 403, 'csrf', 'missing or wrong X-CSRF-Token header', 'X-CSRF-Token');
      }
    }
    res.locals.principal = fromAccount(account, 'session');
    res.locals.csrf = session.csrf;
    next();
  };
}

/** Middleware: 403 unless the caller has one of the roles. */
export function allow(...roles: Role[]) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const p = principal(res);
    if (!roles.includes(p.role)) return fail(res, 403, 'forbidden', `this needs the role ${roles.join(' or ')}; you are ${p.role}`);
    next();
  };
}

const signInBody = z.object({ username: z.string().trim().min(1).max(60), password: z.string().min(1).max(200) }).strict();

/** The session routes: POST (sign in), GET (who am I, CSRF token), DELETE (sign out). */
export function sessionRouter(d: AuthDeps): Router {
  const r = express.Router();
  r.post('/session', express.json({ limit: '4kb' }), async (req, res, next) => {
    if (!req.is('application/json')) return fail(res, 415, 'unsupported_media_type', 'send application/json');
    const body = parse(signInBody, req.body, res);
    if (!body) return;
    try {
      const result = await d.accounts.signIn(body.username, body.password);
      const now = d.clock.now();
      if (!result.ok) {
        // An unknown name is not written down: it may be a password typed in the wrong box.
        const known = await d.accounts.byUsername(body.username);
        await d.audit.audit(known ? `console:${known.username}` : 'console:?', `signin.${result.reason}`, 'console', now);
        if (result.reason === 'locked') {
          return fail(res, 429, 'locked', `too many failed sign-ins (${LOCKOUT.failures}): try again after ${result.lockedUntil!.toISOString()}`, undefined, {
            lockedUntil: result.lockedUntil!.toISOString(),
          });
        }
        return fail(res, 401, 'bad_credentials', 'wrong username or password');
      }
      const { token, csrf } = await d.sessions.create(result.account.id);
      await d.audit.audit(`console:${result.account.username}`, 'signin', 'console', now);
      res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
      res.status(201).json({ account: publicAccount(result.account), csrfToken: csrf, idleMinutes: d.sessions.limits.idleMinutes, now: now.toISOString() });
    } catch (err) {
      next(err);
    }
  });
  const auth = authenticate(d);
  r.get('/session', auth, (_req, res) => {
    const p = principal(res);
    res.json({
      account: { username: p.username, displayName: p.displayName, role: p.role, departments: p.departments },
      csrfToken: res.locals.csrf ?? null,
      idleMinutes: d.sessions.limits.idleMinutes,
      now: d.clock.now().toISOString(),
    });
  });
  r.delete('/session', auth, async (req, res, next) => {
    const token = cookie(req, SESSION_COOKIE);
    try {
      if (token) await d.sessions.destroy(token);
    } catch (err) {
      return next(err);
    }
    await d.audit.audit(principal(res).actor, 'signout', 'console', d.clock.now());
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });
  return r;
}

/** An account as the API shows it. */
export function publicAccount(a: Account): Record<string, unknown> {
  return {
    id: a.id,
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    departments: a.departments,
    disabled: a.disabled,
    createdAt: a.createdAt.toISOString(),
    lockedUntil: a.lockedUntil?.toISOString() ?? null,
  };
}
