/**
 * A job that one instance at a time may run (the X poller of an account, the IMAP reader of a
 * mailbox): it runs only while this instance holds its lease. Started when the lease is acquired,
 * stopped when it is lost (taken over, or Redis unreachable past the TTL) and on `stop`, which
 * also releases the lease so another instance takes over at once. Start and stop never overlap.
 * With `fences`, each start takes the job's next epoch (job-fence.ts) and hands it to the job, which
 * fences its cursor writes with it: a holder that stalled past its lease cannot move a cursor back.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import type { Fence, JobFences } from './job-fence.js';
import { LeaseKeeper } from './lease.js';
import { inProcessScale, type Scale } from './scale.js';

/** What runs under the lease. */
export interface Job {
  /** Starts the job; `fence` (when the LeasedJob has fences) guards its cursor writes. */
  start(fence?: Fence): Promise<void> | void;
  /** Stops the job and waits for the work in progress. */
  stop(): Promise<void> | void;
}

/** Events of a LeasedJob. */
export interface LeasedJobEvents {
  /** The lease was acquired and the job started. */
  started: [];
  /** The job stopped (lease lost, or `stop`). */
  stopped: [];
}

/** A job run under a lease of `scale` (in process when none: always granted to this instance). */
export class LeasedJob extends EventEmitter<LeasedJobEvents> {
  private readonly keeper: LeaseKeeper;
  private chain: Promise<void> = Promise.resolve();
  private active = false;
  private closed = false;

  constructor(
    scale: Scale | undefined,
    clock: Clock,
    readonly lease: string,
    private readonly job: Job,
    private readonly logger: Logger,
    private readonly channel: string,
    private readonly fences?: JobFences,
  ) {
    super();
    const s = scale ?? inProcessScale(clock);
    this.keeper = new LeaseKeeper(s.leases, lease, s.instance, s.leaseTimings);
    this.keeper.on('acquired', (grant) => {
      this.logger.info({ channel, lease, token: grant.token }, 'lease acquired: job started on this instance');
      this.step(() => this.run());
    });
    this.keeper.on('lost', (grant) => {
      this.logger.warn({ channel, lease, token: grant.token }, 'lease lost: job stopped on this instance');
      this.step(() => this.halt());
    });
  }

  /** True while the job runs here. */
  get running(): boolean {
    return this.active;
  }

  private step(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.logger.error({ channel: this.channel, lease: this.lease, error: (err as Error)?.name }, 'leased job failed to start or stop');
    });
    return this.chain;
  }

  private async run(): Promise<void> {
    if (this.closed || this.active || !this.keeper.grant) return;
    const fence = this.fences ? await this.fences.next(this.lease) : undefined;
    this.active = true;
    await this.job.start(fence);
    this.emit('started');
  }

  private async halt(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    await this.job.stop();
    this.emit('stopped');
  }

  /** Starts competing for the lease; resolves after the first attempt (the job runs when it won). */
  async start(): Promise<void> {
    this.closed = false;
    await this.keeper.start();
    await this.chain;
  }

  /** Stops the job (waiting for its work in progress), then releases the lease. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.step(() => this.halt());
    await this.keeper.stop();
  }
}
