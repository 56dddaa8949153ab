/**
 * What one benchmark burst cost: CPU time of the whole process (every thread: the event loop,
 * the embedded demo's worker, V8's compiler and GC threads, libuv) and of the main thread alone
 * (read from /proc on Linux), the longest event-loop stall, and the load average when it
 * started. On a shared machine latency depends on what else runs; CPU time much less.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface BurstCost {
  process_ms: number;
  /** Main thread (event loop) only; null where /proc is not available. */
  main_thread_ms: number | null;
  /** Longest delay of the event loop during the burst (includes time the OS ran other processes). */
  event_loop_delay_max_ms: number;
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

export function startBurstMeter(): { stop(): BurstCost } {
  const load = loadavg()[0]!;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const process0 = process.cpuUsage();
  const main0 = mainThreadMs();
  return {
    stop() {
      const used = process.cpuUsage(process0);
      const main1 = mainThreadMs();
      loopDelay.disable();
      return {
        process_ms: Math.round((used.user + used.system) / 1000),
        main_thread_ms: main0 === null || main1 === null ? null : main1 - main0,
        event_loop_delay_max_ms: Math.round(loopDelay.max / 1e6),
        load_average_1m: Math.round(load * 100) / 100,
      };
    },
  };
}
