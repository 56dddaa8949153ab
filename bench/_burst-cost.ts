/**
 * What one benchmark burst cost the process under test (`pgdba serve`, a child of the bench),
 * read from Linux's /proc: CPU time of the whole process (every thread: the event loop, the
 * embedded demo's worker, V8's compiler and GC threads, libuv's pool), of its main thread, and
 * of each of its other threads; plus the bench's own CPU time (the fakes and the load
 * generator, which no longer run on pgdba's event loop) and the load average. On a shared
 * machine latency depends on what else runs; CPU time much less.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export interface BurstCost {
  /** CPU time of the process under test (all its threads). */
  process_ms: number;
  /** Its main thread (the event loop) only. */
  main_thread_ms: number;
  /** Its other threads that used CPU, busiest first (thread names are all "node", so ids). */
  other_threads_ms: { tid: number; ms: number }[];
  /** CPU time of the bench process itself (fake platforms, load generator). */
  harness_ms: number;
  /** 1-minute load average when the burst started and when it ended. */
  load_average_1m: [number, number];
}

/** Linux reports CPU time in clock ticks of 10 ms (USER_HZ = 100 on every mainstream build). */
const msPerTick = 10;

/** utime + stime of a /proc stat line, in milliseconds. */
function statCpuMs(statLine: string): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * msPerTick;
}

/** CPU time of the process and of each of its live threads, in milliseconds. */
export function processCpu(pid: number): { process: number; threads: Map<number, number> } {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), statCpuMs(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // The thread ended between listing and reading; its time stays in the process total.
    }
  }
  return { process: statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8')), threads };
}

const roundedLoad = () => Math.round(loadavg()[0]! * 100) / 100;

/** Starts measuring process `pid`; stop() returns what it used since. */
export function startBurstMeter(pid: number): { stop(): BurstCost } {
  const loadAtStart = roundedLoad();
  const before = processCpu(pid);
  const harnessBefore = process.cpuUsage();
  return {
    stop() {
      const after = processCpu(pid);
      const harness = process.cpuUsage(harnessBefore);
      const used = (tid: number, ms: number) => ms - (before.threads.get(tid) ?? 0);
      const others = [...after.threads]
        .filter(([tid]) => tid !== pid)
        .map(([tid, ms]) => ({ tid, ms: used(tid, ms) }))
        .filter((thread) => thread.ms > 0)
        .sort((a, b) => b.ms - a.ms);
      return {
        process_ms: after.process - before.process,
        main_thread_ms: used(pid, after.threads.get(pid) ?? 0),
        other_threads_ms: others,
        harness_ms: Math.round((harness.user + harness.system) / 1000),
        load_average_1m: [loadAtStart, roundedLoad()],
      };
    },
  };
}

export function describeCost(cost: BurstCost): string {
  const busiest = cost.other_threads_ms.slice(0, 3).map((thread) => `${thread.ms}`).join('/');
  return `pgdba CPU ${cost.process_ms} ms (main thread ${cost.main_thread_ms} ms${busiest ? `, busiest other threads ${busiest} ms` : ''}), bench CPU ${cost.harness_ms} ms, load ${cost.load_average_1m[0]} -> ${cost.load_average_1m[1]}`;
}
