/**
 * Runs in flight that identical requests may join: the first request starts the run, requests
 * arriving before it ends get the same result. Each caller may follow the run's progress; a
 * caller that joins late gets the latest update at once, then every later one, so it sees what
 * it would have seen from a run of its own. Chat adapters pass a progress sink with every
 * question, so without this a burst of the same question ran the tool once per person.
 */
import type { Progress } from '../tools/reply.js';

type ProgressSink = (progress: Progress) => void;

interface RunInFlight<T> {
  result: Promise<T>;
  followers: Set<ProgressSink>;
  latest: Progress | undefined;
}

export class SharedRuns<T> {
  private readonly inFlight = new Map<string, RunInFlight<T>>();

  /**
   * The result of the run for `key`: the one in flight, or a new one made by `start`, which
   * reports progress to every caller following the run.
   */
  run(key: string, progress: ProgressSink | undefined, start: (progress: ProgressSink) => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) {
      if (progress) {
        running.followers.add(progress);
        if (running.latest) progress(running.latest);
      }
      return running.result;
    }
    const run = { followers: new Set<ProgressSink>(progress ? [progress] : []), latest: undefined as Progress | undefined };
    const result = start((update) => {
      run.latest = update;
      for (const follower of run.followers) follower(update);
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, Object.assign(run, { result }));
    return result;
  }
}
