/**
 * Worker thread of the log engine: reads the byte ranges (or whole inputs) the main thread hands
 * it, straight from the file, through the per-line stages, and sends back each range's summary
 * and aggregator state. The SQL parser stays on the main thread: the first time a statement text
 * of an unknown normalised form is met, the worker asks the main thread synchronously (it waits
 * on a shared flag; the answer is read with receiveMessageOnPort).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { LogAggregator } from './aggregator.js';
import { LogInputError, openInput, rangeLines } from './line-source.js';
import type { RangeTaskMessage, WorkerMessage } from './parallel-analysis.js';
import { readRange } from './read-range.js';
import { StatementMemo, type MemoEntry, type ResolvedText, type StatementGroupRef } from './statement-memo.js';

/** Statement grouping through the main thread's parser (one request per new normalised form). */
class RemoteStatementGrouper extends StatementMemo {
  private answered: { raw: string; refs: StatementGroupRef[] } | undefined;

  constructor(
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
  ) {
    super();
  }

  protected entryFor(raw: string): MemoEntry {
    const answer = this.ask(raw);
    // Utility statements: the answer already holds this text's own groups (asked for next).
    if (answer.byExactText) this.answered = { raw, refs: answer.refs };
    return { refs: answer.refs, byExactText: answer.byExactText };
  }

  protected exactRefsFor(raw: string): StatementGroupRef[] {
    const answered = this.answered;
    this.answered = undefined;
    return answered !== undefined && answered.raw === raw ? answered.refs : this.ask(raw).refs;
  }

  knows(raw: string): boolean {
    return this.lookup(raw) !== undefined;
  }

  /** Asks the main thread, in one round trip, for texts the memo does not know. */
  resolveAll(texts: string[]): void {
    const unknown = [...new Set(texts)];
    if (unknown.length === 0) return;
    const answers = this.askAll(unknown);
    for (let i = 0; i < unknown.length; i += 1) this.store(unknown[i]!, answers[i]!);
  }

  private ask(raw: string): ResolvedText {
    return this.askAll([raw])[0]!;
  }

  private askAll(texts: string[]): ResolvedText[] {
    this.port.postMessage(texts);
    Atomics.wait(this.flag, 0, 0);
    Atomics.store(this.flag, 0, 0);
    return (receiveMessageOnPort(this.port) as { message: ResolvedText[] }).message;
  }
}

const { parserPort, parserFlag } = workerData as { parserPort: MessagePort; parserFlag: SharedArrayBuffer };
const grouper = new RemoteStatementGrouper(parserPort, new Int32Array(parserFlag));
const port = parentPort!;

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
  const lines = range.whole ? (await openInput({ name: input.name, path: input.path })).lines(onBytes) : rangeLines(input.path, range.start, range.end, onBytes);
  const result = await readRange(input, {
    lines,
    aggregator,
    maxExamples: task.maxExamples,
    resolver: grouper,
    afterBatch: () => {
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
