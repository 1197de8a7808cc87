/** Limits against hostile clients: HTTP timeouts, per-address rates, body caps; defaults, environment overrides. */
import { ConfigError } from '../core/errors.js';

/** `points` requests per `durationSec` per address; over it, refused for `blockSec` (default: the rest of the window). */
export interface RateLimit {
  points: number;
  durationSec: number;
  blockSec?: number;
}

/** Every limit of the HTTP edge. */
export interface SecuritySettings {
  /** Time to receive the request headers (`server.headersTimeout`). */
  headersTimeoutMs: number;
  /** Time to receive the whole request (`server.requestTimeout`). */
  requestTimeoutMs: number;
  /** Time to receive a request body once the headers are in (per route; 408 after it). */
  bodyTimeoutMs: number;
  /** How often Node checks the two timeouts above. */
  timeoutCheckMs: number;
  /** Requests per client address on every public endpoint (`TAWASUL_RATE_LIMIT_HTTP`, e.g. `600/60`). */
  perAddress: RateLimit;
  /** Refused requests (bad signature, oversized, malformed…) per address before it is blocked (`TAWASUL_RATE_LIMIT_REFUSALS`). */
  refusalsPerAddress: RateLimit;
  /** Web chat conversations created per address (`TAWASUL_RATE_LIMIT_CONVERSATIONS`). */
  conversationsPerAddress: RateLimit;
  /** Largest request body any endpoint accepts; a larger declared Content-Length gets 413 before a byte is read (providers send a few KB). */
  maxBodyBytes: number;
  /**
   * Apply the per-address limits to direct loopback connections too (`TAWASUL_RATE_LIMIT_LOOPBACK=on`).
   * Off by default: local tools and tests connect from loopback; a reverse proxy on loopback must send
   * X-Forwarded-For, and then the forwarded address is the one limited.
   */
  limitLoopback: boolean;
}

/** The defaults. */
export const DEFAULT_SECURITY: SecuritySettings = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyTimeoutMs: 10_000,
  timeoutCheckMs: 1_000,
  perAddress: { points: 600, durationSec: 60 },
  refusalsPerAddress: { points: 20, durationSec: 60, blockSec: 300 },
  conversationsPerAddress: { points: 20, durationSec: 600 },
  maxBodyBytes: 256 * 1024,
  limitLoopback: false,
};

/** Parses `points/seconds[/blockSeconds]`. */
export function parseRateLimit(spec: string, name: string): RateLimit {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(spec);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new ConfigError(`environment: ${name}: expected POINTS/SECONDS[/BLOCK_SECONDS], e.g. 600/60`, 'environment', name);
  return { points: Number(m[1]), durationSec: Number(m[2]), ...(m[3] ? { blockSec: Number(m[3]) } : {}) };
}

/** The settings: defaults, then the environment, then explicit overrides (tests). */
export function securitySettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<SecuritySettings> = {}): SecuritySettings {
  const fromEnv: Partial<SecuritySettings> = {};
  if (env.TAWASUL_RATE_LIMIT_HTTP) fromEnv.perAddress = parseRateLimit(env.TAWASUL_RATE_LIMIT_HTTP, 'TAWASUL_RATE_LIMIT_HTTP');
  if (env.TAWASUL_RATE_LIMIT_REFUSALS) fromEnv.refusalsPerAddress = parseRateLimit(env.TAWASUL_RATE_LIMIT_REFUSALS, 'TAWASUL_RATE_LIMIT_REFUSALS');
  if (env.TAWASUL_RATE_LIMIT_CONVERSATIONS)
    fromEnv.conversationsPerAddress = parseRateLimit(env.TAWASUL_RATE_LIMIT_CONVERSATIONS, 'TAWASUL_RATE_LIMIT_CONVERSATIONS');
  if (env.TAWASUL_RATE_LIMIT_LOOPBACK) fromEnv.limitLoopback = /^(1|on|true|yes)$/i.test(env.TAWASUL_RATE_LIMIT_LOOPBACK);
  return { ...DEFAULT_SECURITY, ...fromEnv, ...overrides };
}
