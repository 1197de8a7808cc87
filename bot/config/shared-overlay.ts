/**
 * The configuration overlay shared by the instances. Admins edit the overlay on one instance (role
 * contacts, bot/console/config-router.ts): it writes its data directory's file, then the shared copy,
 * and nudges the others; every instance brings its own file in line with the shared copy at start
 * and on each nudge, then re-reads its configuration. The embedded default has no shared copy.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The overlay's shared copy (PostgreSQL: bot/store/postgres/config-overlay.ts). */
export interface OverlayCopy {
  /** The shared content, undefined when none was ever written. */
  read(): Promise<string | undefined>;
  /** Replaces the shared content. */
  write(content: string, at: Date): Promise<void>;
}

/**
 * Brings the overlay file in line with the shared copy; true when the file changed (re-read the
 * configuration). With no shared copy yet, the local file (if any) becomes it.
 */
export async function syncOverlay(file: string, shared: OverlayCopy, now: Date): Promise<boolean> {
  const local = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const remote = await shared.read();
  if (remote === undefined) {
    if (local !== undefined) await shared.write(local, now);
    return false;
  }
  if (remote === local) return false;
  writeFileSync(file, remote, { mode: 0o600 });
  return true;
}
