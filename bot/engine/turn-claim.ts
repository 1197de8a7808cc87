/**
 * A turn's claim of its message id in the inbox, written lazily through the group commit: in the
 * first group transaction after the turn starts (with the message, for a replay after a crash),
 * or, when the turn ends before that, together with its end (one transaction per message, and
 * no message stored only to be erased). Anything the turn commits on its own (filing a request)
 * waits for the claim first, so that a crash after it is replayed and finds what was filed.
 */
import type { InboundMessage, OutboundReply } from '../core/types.js';
import type { GroupCommit } from './group-commit.js';
import type { TurnTx } from './turn-tx.js';

/** The message id was claimed outside this turn meanwhile (another path took it): the turn is not recorded. */
export class ClaimedElsewhereError extends Error {
  override name = 'ClaimedElsewhereError';
}

/** The claim of one turn. */
export class TurnClaim {
  private written: boolean;
  private ended = false;
  private cancelled = false;
  private conflict = false;
  private readonly committed: Promise<void>;

  /** `claimed`: the inbox already holds this message as processing (a crash left it; this turn takes it over). */
  constructor(
    commits: GroupCommit,
    private readonly msg: InboundMessage,
    private readonly key: string,
    private readonly now: Date,
    claimed: boolean,
  ) {
    this.written = claimed;
    // A batch that failed to commit wrote nothing: the claim then goes with the end of the turn.
    this.committed = claimed
      ? Promise.resolve()
      : commits
          // Left out of the batch once the turn has ended (or failed): the end then claims.
          .submit(
            (tx) => this.write(tx),
            () => !(this.written || this.cancelled || this.ended),
          )
          .catch((err: unknown) => {
            this.written = false;
            throw err;
          });
    // Awaited only before filing.
    this.committed.catch(() => undefined);
  }

  /** The early claim, with the message for a replay (the first group transaction after the turn starts). */
  private async write(tx: TurnTx): Promise<void> {
    if (this.written || this.cancelled || this.ended) return;
    const c = await tx.inbox.claim(this.msg.channel, this.msg.id, this.key, this.msg.receivedAt, this.now, safeJson(this.msg));
    if (c.claimed) this.written = true;
    else this.conflict = true;
  }

  /** Resolves once the claim is committed (call before the turn commits anything on its own). */
  durable(): Promise<void> {
    return this.committed;
  }

  /** The turn's end is about to be queued: a claim not yet written goes with it, without the message. */
  end(): void {
    this.ended = true;
  }

  /** Inside the end-of-turn unit: records the replies, claiming in the same write if not yet done. */
  async complete(tx: TurnTx, replies: OutboundReply[]): Promise<void> {
    const { msg } = this;
    if (!this.conflict && !this.written) {
      if ((await tx.inbox.claimDone(msg.channel, msg.id, this.key, msg.receivedAt, this.now, replies)).claimed) {
        this.written = true;
        return;
      }
      this.conflict = true;
    }
    if (this.conflict) throw new ClaimedElsewhereError(`message ${msg.id} was claimed outside this turn`);
    await tx.inbox.complete(msg.channel, msg.id, replies);
  }

  /** The turn failed: nothing more is written; true when a claim was written (the caller releases it). */
  cancel(): boolean {
    this.cancelled = true;
    return this.written;
  }
}

/** The message as stored for replay (no provider payload); undefined when it cannot be serialized. */
function safeJson(msg: InboundMessage): string | undefined {
  try {
    return JSON.stringify({ ...msg, raw: undefined });
  } catch {
    return undefined;
  }
}
