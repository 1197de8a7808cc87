/**
 * Per-conversation mutual exclusion across instances. Inside one process the engine's KeyedQueue
 * already runs a conversation's turns one at a time; when several instances share the stores, two
 * messages of one conversation may reach two instances at once, and each would load the same state
 * and overwrite the other's. The engine holds this lock around a turn (state read to commit), so a
 * conversation's turns run one at a time on the whole cluster. The embedded default needs none.
 */

/** Runs a conversation's work while no other instance runs work of the same conversation. */
export interface ConversationLocks {
  /** True when other instances take the same locks: a turn then re-reads its message's ledger row under the lock. */
  readonly shared: boolean;
  /** Runs `task` holding `key`'s lock (waiting for it), releasing it when `task` settles. */
  hold<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** One instance: the engine's in-process queue is the whole story. */
export const inProcessLocks: ConversationLocks = {
  shared: false,
  hold: (_key, task) => task(),
};
