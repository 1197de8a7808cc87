/**
 * The provider quota of a delivery lane: the window limit its adapter declares (`limits.reservoir`,
 * per provider account), counted by the instance's ProviderLimiter under `<channel type>:<account>`,
 * so that every instance sending for one account shares one count when Redis is configured. The
 * outbox worker takes a unit before each send; a refusal keeps the item queued until the window
 * reopens, and an unreachable limiter refuses too (fail closed: nothing goes out over quota).
 */
import type { ChannelContext } from '../../channels/types.js';
import type { Logger } from '../core/logger.js';
import type { ProviderLimiter, Quota } from '../scale/rate-limiter.js';
import { inProcessScale } from '../scale/scale.js';
import type { RateLimits } from './engine-options.js';

/** Milliseconds before asking again when the limiter cannot be reached. */
const UNREACHABLE_RETRY_MS = 1000;

/** One unit of a provider quota per send. */
export interface SendQuota {
  /** Takes a unit now: 0 when granted, else the milliseconds before asking again (refused, or the limiter unreachable). */
  take(): Promise<number>;
}

/** A quota key on a ProviderLimiter; failures are answered as refusals and logged without their text. */
export class ProviderQuota implements SendQuota {
  constructor(
    private readonly limiter: ProviderLimiter,
    /** `<channel type>:<account>`. */
    readonly key: string,
    private readonly logger: Logger,
    private readonly channel: string,
    private readonly unreachableRetryMs = UNREACHABLE_RETRY_MS,
  ) {}

  async take(): Promise<number> {
    try {
      const d = await this.limiter.take(this.key);
      if (d.allowed) return 0;
      this.logger.info({ channel: this.channel, quota: this.key, retryAfterMs: d.retryAfterMs }, 'provider quota spent: sends wait for the next window');
      return d.retryAfterMs;
    } catch (err) {
      this.logger.warn(
        { channel: this.channel, quota: this.key, error: (err as Error)?.name, retryAfterMs: this.unreachableRetryMs },
        'provider quota unavailable: sends held (fail closed)',
      );
      return this.unreachableRetryMs;
    }
  }
}

/** The window quota of `limits` (its reservoir, in whole seconds), undefined when it declares none. */
export function quotaOf(limits: RateLimits): Quota | undefined {
  const r = limits.reservoir;
  return r && { points: r.amount, durationSeconds: Math.max(1, Math.round(r.refreshMs / 1000)) };
}

/** The worker option giving a lane its provider quota (`{}` when its limits declare no window quota). */
export function laneQuota(ctx: ChannelContext, limits: RateLimits): { quota?: SendQuota } {
  const quota = quotaOf(limits);
  if (!quota) return {};
  const limiter = (ctx.scale ?? inProcessScale(ctx.clock)).limiter(quota);
  return { quota: new ProviderQuota(limiter, `${ctx.channel.type}:${limits.account ?? ctx.channel.id}`, ctx.logger, ctx.channel.id) };
}
