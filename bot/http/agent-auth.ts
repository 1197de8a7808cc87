import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Agent credentials: id → token, from `TAWASUL_AGENT_TOKENS="id:token,id2:token2"` or the data directory. */
export function parseAgentTokens(spec: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    if (i > 0 && part.length - i > 16) out.set(part.slice(0, i), part.slice(i + 1));
  }
  return out;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Express middleware: a bearer token of a known agent, compared in constant time; sets `res.locals.agentId`. */
export function requireAgent(tokens: Map<string, string>) {
  const entries = [...tokens].map(([id, token]) => ({ id, hash: digest(token) }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const presented = m ? digest(m[1]!) : undefined;
    const agent = presented && entries.find((e) => timingSafeEqual(e.hash, presented));
    if (!agent) {
      res.status(401).json({ error: { reason: 'unauthorized', message: 'agent bearer token required' } });
      return;
    }
    res.locals.agentId = agent.id;
    next();
  };
}
