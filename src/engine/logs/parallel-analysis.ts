/**
 * Worker threads for large plain logs: the inputs are cut into byte ranges at entry starts
 * (range-splitter.ts), worker threads read the ranges from the files and aggregate them
 * (range-worker.ts), and the main thread merges the ranges' states in log order as they come in.
 * The main thread keeps the only SQL parser and answers the workers' synchronous requests for
 * new statement forms, so the parser is loaded once and runs once per distinct statement.
 * The result equals the one-pass analysis; when a range cannot be merged exactly (more than
 * 10,000 sessions with a pending statement), the caller reads the log in one pass instead.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { AggregatePartial } from './aggregate-state.js';
import { LogAggregator } from './aggregator.js';
import { LogInputError } from './line-source.js';
import type { RangeResult, RangeSource } from './read-range.js';
import type { StatementGrouper } from './statement-grouper.js';
import type { LogAnalysisOptions } from './types.js';

/** A byte range of an input (`whole`: the whole input, e.g. gzip or csvlog, read by one worker). */
export interface RangeTask {
  /** Position of the range among all ranges (log order). */
  index: number;
  /** Index of the input (in time order). */
  input: number;
  start: number;
  /** Infinity: up to the end of the file. */
  end: number;
  whole: boolean;
}

export interface RangeTaskMessage {
  range: RangeTask;
  input: RangeSource & { path: string };
  options: Pick<LogAnalysisOptions, 'since' | 'until' | 'database' | 'user' | 'application' | 'anonymize' | 'scanner'>;
  maxExamples: number;
}

export type WorkerMessage =
  | { type: 'progress'; bytes: number }
  | { type: 'done'; index: number; result: RangeResult; partial: AggregatePartial; overflow: boolean }
  | { type: 'failed'; index: number; message: string; inputError: boolean };

/**
 * Worker threads by default: one per idle core (cores minus the 1-minute load average), at most
 * 4 (each costs ~30 MB and its own JIT warm-up). On a busy machine workers only compete with
 * the other work and with each other, and one pass is faster: one idle core or less gives 1.
 */
export function defaultJobs(cores = availableParallelism(), load = loadavg()[0] ?? 0): number {
  return Math.max(1, Math.min(4, cores - Math.floor(load)));
}

/** URL of tsx's ESM API (its `import` entry: the CommonJS one registers a wrong loader path). */
function tsxEsmApi(from: string): string {
  const manifest = createRequire(from).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/**
 * A worker's young generation: V8's default (48 MB) grows each worker's heap to ~50 MB; at 16 MB
 * the heap stays ~27 MB (batches are small, little survives a scavenge), which keeps two workers
 * and the main thread under 200 MB together.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 16 };

/** Starts a worker running range-worker (compiled JavaScript, or the TypeScript source under tsx/vitest). */
function startWorker(workerData: unknown, transferList: MessagePort[]): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./range-worker.ts', here);
    const tsx = tsxEsmApi(here);
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
    // The worker registers tsx itself (tsx does not hook worker threads through execArgv).
    return new Worker(boot, { eval: true, workerData, transferList, execArgv: [], resourceLimits });
  }
  return new Worker(new URL('./range-worker.js', here), { workerData, transferList, resourceLimits });
}

export interface ParallelRun {
  tasks: RangeTask[];
  inputs: (RangeSource & { path: string })[];
  jobs: number;
  grouper: StatementGrouper;
  options: LogAnalysisOptions;
  maxExamples: number;
  /** Bytes read so far (all workers). */
  onBytes: (bytes: number) => void;
}

/**
 * Runs the ranges on worker threads and merges them in order. Resolves to the merged aggregator
 * (not finished) and each range's result, or undefined when the ranges cannot be merged exactly.
 */
export function analyseRanges(run: ParallelRun): Promise<{ aggregator: LogAggregator; results: RangeResult[] } | undefined> {
  const { tasks, options } = run;
  const aggregator = new LogAggregator(run.grouper, options, { firstTexts: true });
  const results: RangeResult[] = [];
  const arrived = new Map<number, { result: RangeResult; partial: AggregatePartial }>();
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  const taskOptions: RangeTaskMessage['options'] = {};
  for (const key of ['since', 'until', 'database', 'user', 'application', 'anonymize', 'scanner'] as const) if (options[key] !== undefined) Object.assign(taskOptions, { [key]: options[key] });
  let nextTask = 0;
  let nextMerge = 0;
  let settled = false;

  return new Promise((resolve, reject) => {
    const stop = () => {
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) void worker.terminate();
      for (const port of ports) port.close();
    };
    const fail = (error: Error) => {
      if (settled) return;
      stop();
      reject(error);
    };
    const finish = (value: { aggregator: LogAggregator; results: RangeResult[] } | undefined) => {
      if (settled) return;
      stop();
      resolve(value);
    };
    function onAbort() {
      fail(new Error('Log analysis was cancelled.'));
    }
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const dispatch = (worker: Worker) => {
      if (nextTask >= tasks.length) return;
      const range = tasks[nextTask++]!;
      const message: RangeTaskMessage = { range, input: run.inputs[range.input]!, options: taskOptions, maxExamples: run.maxExamples };
      worker.postMessage(message);
    };
    const merge = () => {
      for (let ready = arrived.get(nextMerge); ready !== undefined; ready = arrived.get(nextMerge)) {
        arrived.delete(nextMerge);
        if (!aggregator.mergeRange(ready.partial, nextMerge)) return finish(undefined);
        results.push(ready.result);
        nextMerge += 1;
      }
      if (nextMerge === tasks.length) finish({ aggregator, results });
    };

    const count = Math.max(1, Math.min(run.jobs, tasks.length));
    for (let w = 0; w < count; w += 1) {
      const channel = new MessageChannel();
      ports.push(channel.port1);
      const flag = new Int32Array(new SharedArrayBuffer(4));
      // The worker's requests for statement forms it has not seen, answered in order by the main
      // thread's parser; the shared counter of answers wakes a worker waiting for one.
      channel.port1.on('message', (texts: string[]) => {
        let answer;
        try {
          answer = texts.map((raw) => run.grouper.resolveText(raw));
        } catch (error) {
          return fail(error as Error);
        }
        channel.port1.postMessage(answer);
        Atomics.add(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
      const worker = startWorker({ parserPort: channel.port2, answeredCount: flag.buffer }, [channel.port2]);
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (settled) return;
        switch (message.type) {
          case 'progress':
            run.onBytes(message.bytes);
            return;
          case 'failed':
            return fail(message.inputError ? new LogInputError(message.message) : new Error(`Log worker failed on range ${message.index}: ${message.message}`));
          case 'done':
            if (message.overflow) return finish(undefined);
            arrived.set(message.index, { result: message.result, partial: message.partial });
            dispatch(worker);
            return merge();
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (!settled) fail(new Error(`Log worker stopped (exit code ${code}) before the analysis was done.`));
      });
      dispatch(worker);
    }
  });
}
