/**
 * `npx tsx test/bench/user-system.ts [SECONDS] [CONNECTIONS] [REPS]`: the bare Express handler and Tawasul
 * under the web chat load, alternated, and each one's event-loop CPU per message split into user time (the
 * process's own code: JavaScript, V8, SQLite) and system time (the kernel: sockets, files), with the main
 * thread's minor page faults: whether a machine's slowness is in its system calls or in plain computation.
 * Asserts nothing.
 */
import { tempDir } from '../helpers/tmp.js';
import { load, messageMix, openConversations, SERVER_ENV, SERVER_FLAGS, startTarget, trainedDataDir, writeLoadData } from './targets.js';
import { mainThreadTimes } from './thread-cpu.js';

const [seconds = 5, connections = 16, reps = 4] = process.argv.slice(2).map(Number);
const t = tempDir('tawasul-user-system-');
try {
  const dir = await trainedDataDir(t.dir);
  const tawasul = await startTarget('tawasul', dir, SERVER_FLAGS, SERVER_ENV);
  const bare = await startTarget('bare', '', SERVER_FLAGS, SERVER_ENV);
  try {
    const data = writeLoadData(dir, await openConversations(tawasul.origin, 1000), messageMix());
    for (const target of [tawasul, bare]) await load(target.origin, data, 1, connections);
    for (let rep = 0; rep < reps; rep++) {
      for (const target of rep % 2 ? [tawasul, bare] : [bare, tawasul]) {
        const pid = (await target.stats()).pid!;
        const before = mainThreadTimes(pid);
        const r = await load(target.origin, data, seconds, connections);
        const after = mainThreadTimes(pid);
        const n = Math.max(1, r.rps * seconds);
        process.stdout.write(
          `rep ${rep + 1} ${target.name.padEnd(7)} ${r.rps.toFixed(0)} msg/s; event loop ms/msg: user ${((after.user - before.user) / n).toFixed(3)}, ` +
            `system ${((after.system - before.system) / n).toFixed(3)}; minor page faults/msg ${((after.faults - before.faults) / n).toFixed(2)}\n`,
        );
      }
    }
  } finally {
    await tawasul.stop();
    await bare.stop();
  }
} finally {
  t.cleanup();
}
