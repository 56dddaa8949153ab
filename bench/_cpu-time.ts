/**
 * CPU time spent during one benchmark phase: the whole process (every thread: the event loop,
 * the embedded demo's worker, V8's compiler and GC threads, libuv) and the main thread alone
 * (read from /proc on Linux), plus the load average when it started. On a shared machine
 * latency depends on what else runs; these figures do much less.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export interface CpuTime {
  process_ms: number;
  /** Main thread (event loop) only; null where /proc/thread-self is not available. */
  main_thread_ms: number | null;
  load_average_1m: number;
}

function mainThreadMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export function startCpuMeter(): { stop(): CpuTime } {
  const load = loadavg()[0]!;
  const process0 = process.cpuUsage();
  const main0 = mainThreadMs();
  return {
    stop() {
      const used = process.cpuUsage(process0);
      const main1 = mainThreadMs();
      return {
        process_ms: Math.round((used.user + used.system) / 1000),
        main_thread_ms: main0 === null || main1 === null ? null : main1 - main0,
        load_average_1m: Math.round(load * 100) / 100,
      };
    },
  };
}
