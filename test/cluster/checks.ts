/**
 * What the cluster test reads back: the provider's send times against the quota, the SLA's
 * escalations through each instance (sweeps, metrics, the roles' notifications), and the tallies.
 */
import type { ServerProcess } from '../reliability/harness.js';

/** Items of `xs` that occur more than once (each named once). */
export function repeated(xs: string[]): string[] {
  const seen = new Map<string, number>();
  for (const x of xs) seen.set(x, (seen.get(x) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([x, n]) => `${x} ×${n}`);
}

/** The most sends that arrived within any span shorter than `spanMs` (`at`: arrival times in ms, any order). */
export function busiest(at: number[], spanMs: number): number {
  const t = [...at].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= spanMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * Spans where the sends exceeded what a shared quota of `points` per whole-second window allows: a span
 * of W seconds (less `jitterMs`, the spread of the network between the quota's grant and the
 * provider's arrival) meets at most W + 1 of the quota's fixed windows, so it may hold at most
 * (W + 1) × points sends. Two instances each limiting only themselves send twice that over a few
 * seconds. Returns one line per W that was exceeded, with the sends seen.
 */
export function quotaBreaches(at: number[], points: number, maxSeconds: number, jitterMs = 50): string[] {
  const out: string[] = [];
  for (let w = 1; w <= maxSeconds; w++) {
    const seen = busiest(at, w * 1000 - jitterMs);
    if (seen > (w + 1) * points) out.push(`${seen} sends within ${w} s (quota ${points}/s allows at most ${(w + 1) * points})`);
  }
  return out;
}

/** A system notification as the agent API lists it. */
export interface RoleNotice {
  id: number;
  role: string;
  kind: string;
  level?: number;
  reference?: string;
}

const admin = (token: string) => ({ method: 'POST', headers: { authorization: `Bearer ${token}` } });

/** Runs `perInstance` sweeps on every instance at once (`POST /api/admin/sla/sweep`); returns every escalation they report. */
export async function sweepAll(instances: ServerProcess[], token: string, perInstance: number): Promise<string[]> {
  const reports = await Promise.all(
    instances.flatMap((s) =>
      Array.from({ length: perInstance }, async () => {
        const { res } = await s.fetch('/api/admin/sla/sweep', admin(token));
        if (res.status !== 200) throw new Error(`sweep: HTTP ${res.status} ${await res.text()}`);
        return ((await res.json()) as { report: { escalations: Array<{ reference: string; level: number }> } }).report.escalations;
      }),
    ),
  );
  return reports.flat().map((e) => `${e.reference}#${e.level}`);
}

/** A sample of an instance's /metrics. */
export async function metric(s: ServerProcess, name: string, labels = ''): Promise<number> {
  const { res } = await s.fetch('/metrics');
  const text = await res.text();
  const m = new RegExp(`^${name}${labels ? `\\{${labels.replace(/[{}"]/g, (c) => `\\${c}`)}\\}` : ''} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** The escalations this process fired (`tawasul_sla_fired_total{kind="escalation"}`). */
export const firedHere = (s: ServerProcess): Promise<number> => metric(s, 'tawasul_sla_fired_total', 'kind="escalation"');

/** Sweeps this process ran (periodic and asked). */
export const sweepsHere = (s: ServerProcess): Promise<number> => metric(s, 'tawasul_sla_sweep_seconds_count');

/** The escalation notices a role sees through one instance (`GET /api/agent/notifications`), as `reference#level`. */
export async function roleNotices(s: ServerProcess, token: string, role: string, refs: string[]): Promise<string[]> {
  const { res } = await s.fetch(`/api/agent/notifications?role=${role}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`notifications: HTTP ${res.status}`);
  const list = ((await res.json()) as { notifications: RoleNotice[] }).notifications;
  return list
    .filter((n) => n.kind === 'escalation' && n.reference && refs.includes(n.reference))
    .map((n) => `${n.reference}#${n.level}`)
    .sort();
}
