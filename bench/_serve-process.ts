/**
 * The system under test as its own process: `node bin/pgdba.js serve` (what the Docker image
 * runs), configured only through environment variables and command-line flags, as a deployment
 * is. The bench waits for GET /healthz = 200 (adapters started, target opened and warmed) before
 * measuring, reads the child's CPU time and memory from /proc, and stops it with SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settings } from '../src/config.js';
import { freePort } from '../tests/setup/free-port.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ServeProcess {
  pid: number;
  baseUrl: string;
  /** Seconds from spawn to /healthz = 200. */
  readySeconds: number;
  /** Lines the child wrote to stderr that start with "error:" (pgdba's logger). */
  errorLines(): string[];
  /** Resident memory now and its peak since start (or since resetPeakRss), in bytes. */
  memory(): { rss: number; peak: number };
  /** Restarts the peak (VmHWM) from the current RSS; false where the kernel does not allow it. */
  resetPeakRss(): boolean;
  /** SIGTERM, then SIGKILL after 15 s; resolves with the exit code (null when killed). */
  stop(): Promise<number | null>;
}

export interface ServeOptions {
  /** Environment variables of the deployment (platform tokens, API URLs, limits). */
  env: Record<string, string>;
  /** Arguments after `serve` (--web, --teams-emulator). */
  args: string[];
  /** Write a V8 CPU profile of the child into this folder when it exits (node --cpu-prof). */
  cpuProfileDir?: string | undefined;
  readyTimeoutMs?: number;
}

/** Newest modification time under a folder, in ms. */
function newestMtime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/, so the bench never measures stale code. */
export function ensureBuilt(): void {
  const cli = join(root, 'dist', 'cli.js');
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestMtime(join(root, 'src'))) return;
  console.log('building dist/ (npm run build) ...');
  const build = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed; the bench runs the built pgdba (bin/pgdba.js).');
}

/**
 * The bench's environment without pgdba's own settings (a developer's SLACK_* or OPENAI_* must
 * not leak into the measured configuration); DATABASE_URL and PGDBA_DEMO_DIR choose the target
 * and pass through.
 */
function baseEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(settings)) {
    if (name !== 'DATABASE_URL' && name !== 'PGDBA_DEMO_DIR') delete env[name];
  }
  return env;
}

function readStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

async function waitUntilHealthy(child: ChildProcess, url: string, timeoutMs: number, stderrTail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pgdba serve exited before it was ready:\n${stderrTail()}`);
    const healthy = await fetch(url).then((response) => response.status === 200, () => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pgdba serve was not ready within ${timeoutMs / 1000} s:\n${stderrTail()}`);
}

export async function startServe(options: ServeOptions): Promise<ServeProcess> {
  ensureBuilt();
  const port = await freePort();
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin', 'pgdba.js'), 'serve', ...options.args], {
    cwd: root,
    env: { ...baseEnvironment(), NODE_ENV: 'production', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    stderr.push(...lines);
  });
  const stderrTail = () => stderr.slice(-20).join('\n');
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(child, `${baseUrl}/healthz`, options.readyTimeoutMs ?? 180_000, stderrTail);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid!;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid,
    baseUrl,
    readySeconds: Number(((performance.now() - startedAt) / 1000).toFixed(1)),
    errorLines: () => stderr.filter((line) => line.startsWith('error:')),
    memory: () => ({ rss: readStatus(pid, 'VmRSS'), peak: readStatus(pid, 'VmHWM') }),
    resetPeakRss() {
      try {
        // "5" resets the peak resident set size to the current one (Linux >= 4.0, proc(5)).
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}
