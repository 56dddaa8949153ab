/**
 * Worker thread of the log engine: reads the byte ranges (or whole inputs) the main thread hands
 * it, straight from the file, through the per-line stages, and sends back each range's summary
 * and aggregator state. The SQL parser stays on the main thread: the first time a statement text
 * of an unknown normalised form is met, the worker asks the main thread synchronously (it waits
 * on a shared flag; the answer is read with receiveMessageOnPort).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { LogAggregator } from './aggregator.js';
import { LogInputError, openInput, rangeLines, type ChunkTarget } from './line-source.js';
import type { RangeTaskMessage, WorkerMessage } from './parallel-analysis.js';
import { readRange, type AheadResolver } from './read-range.js';
import { statementKeyHash } from './sql-normalizer.js';
import { StatementMemo, type MemoEntry, type ResolvedText, type StatementGroupRef } from './statement-memo.js';

/**
 * Statement grouping through the main thread's parser (one request per batch of new normalised
 * forms). Requests go out without waiting; the main thread answers in order, posts the answer,
 * then counts it in the shared `answered` counter, which a waiting worker sleeps on.
 */
class RemoteStatementGrouper extends StatementMemo implements AheadResolver {
  private readonly asked = new Set<string>();
  /** Forms (tokenizer hashes) asked for: other texts of the same form wait for that answer. */
  private readonly askedForms = new Set<number>();
  private readonly inFlight: string[][] = [];
  private received = 0;
  private sent = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly answeredCount: Int32Array,
  ) {
    super();
  }

  knows(raw: string): boolean {
    return this.lookup(raw) !== undefined;
  }

  request(texts: string[]): void {
    const fresh: string[] = [];
    for (const raw of texts) {
      if (this.asked.has(raw)) continue;
      // Texts that differ only in constants share the answer (unless the form turns out to be a
      // utility statement, grouped by exact text: then it is asked for again once answered).
      const form = statementKeyHash(raw);
      if (this.askedForms.has(form)) continue;
      this.askedForms.add(form);
      this.asked.add(raw);
      fresh.push(raw);
    }
    if (fresh.length === 0) return;
    this.port.postMessage(fresh);
    this.inFlight.push(fresh);
    this.sent += 1;
  }

  settle(wait: boolean): void {
    for (;;) {
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        const texts = this.inFlight.shift()!;
        const answers = (m as { message: ResolvedText[] }).message;
        for (let i = 0; i < texts.length; i += 1) {
          this.store(texts[i]!, answers[i]!);
          this.asked.delete(texts[i]!);
          this.askedForms.delete(statementKeyHash(texts[i]!));
        }
        this.received += 1;
      }
      if (!wait || this.received === this.sent) return;
      // The counter moves after the answer is posted: once it passes `received`, the answer is there.
      Atomics.wait(this.answeredCount, 0, this.received);
    }
  }

  /** A text met without being asked ahead (e.g. evicted from the memo): ask and wait. */
  private askNow(raw: string): ResolvedText {
    this.settle(true);
    this.asked.delete(raw);
    this.port.postMessage([raw]);
    this.sent += 1;
    Atomics.wait(this.answeredCount, 0, this.received);
    while (Atomics.load(this.answeredCount, 0) <= this.received) Atomics.wait(this.answeredCount, 0, this.received);
    const answer = (receiveMessageOnPort(this.port) as { message: ResolvedText[] }).message[0]!;
    this.received += 1;
    return answer;
  }

  protected entryFor(raw: string): MemoEntry {
    // Utility statements: the answer also holds this text's own groups (StatementMemo keeps them).
    const answer = this.askNow(raw);
    return { refs: answer.refs, byExactText: answer.byExactText };
  }

  protected exactRefsFor(raw: string): StatementGroupRef[] {
    return this.askNow(raw).refs;
  }
}

const { parserPort, answeredCount } = workerData as { parserPort: MessagePort; answeredCount: SharedArrayBuffer };
const grouper = new RemoteStatementGrouper(parserPort, new Int32Array(answeredCount));
const port = parentPort!;
const PROGRESS_BYTES = 4 * 1024 * 1024;

function send(message: WorkerMessage): void {
  port.postMessage(message);
}

async function run(task: RangeTaskMessage): Promise<void> {
  const { range, input } = task;
  // Only the first range of the analysis knows that no statement was pending before it.
  const aggregator = new LogAggregator(grouper, task.options, { startsUnknown: range.index !== 0, firstTexts: true });
  let bytes = 0;
  const onBytes = (n: number) => {
    bytes += n;
  };
  const chunkTarget: ChunkTarget = {};
  const lines = range.whole ? (await openInput({ name: input.name, path: input.path })).lines(onBytes, chunkTarget) : rangeLines(input.path, range.start, range.end, onBytes, chunkTarget);
  const result = await readRange(input, {
    lines,
    chunkTarget,
    aggregator,
    maxExamples: task.maxExamples,
    scanBytes: task.options.scanner !== 'js',
    resolver: grouper,
    afterBatch: () => {
      // Every few MB: each message wakes the main thread, which shares the cores with the workers.
      if (bytes < PROGRESS_BYTES) return;
      send({ type: 'progress', bytes });
      bytes = 0;
    },
  });
  send({ type: 'progress', bytes });
  send({ type: 'done', index: range.index, result, partial: aggregator.partial(), overflow: aggregator.overflow });
}

port.on('message', (task: RangeTaskMessage) => {
  run(task).catch((error: unknown) => {
    send({ type: 'failed', index: task.range.index, message: (error as Error).message, inputError: error instanceof LogInputError });
  });
});
