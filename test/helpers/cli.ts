import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../bot/core/paths.js';

/** Runs `tawasul ARGS` from source (through tsx) with `input` on stdin; resolves with its output and exit code. */
export function runTawasul(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bot/cli/main.ts'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, TAWASUL_LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(input);
  });
}
