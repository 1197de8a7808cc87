/** Two instances' stores on one database, built per channel id, for the channel store contracts (channel-stores-*.test.ts). */

/** The same store of two instances (one database), for any channel id, and cleanup. */
export interface StorePair<S> {
  one(channel: string): S;
  two(channel: string): S;
  close(): Promise<void>;
}

/** A pair from two store factories and the cleanup of what they share. */
export function storePair<S>(one: (channel: string) => S, two: (channel: string) => S, close: () => Promise<void>): StorePair<S> {
  return { one, two, close };
}
