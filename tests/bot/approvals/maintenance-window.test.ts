import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalActionResult } from '../../../src/bot/approvals/approval-workflow.js';
import { startMaintenanceWindowRuns } from '../../../src/bot/approvals/maintenance-window.js';

describe('maintenance window runs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks the workflow for due changes on every tick and reports what ran', async () => {
    vi.useFakeTimers();
    const executed = { outcome: 'executed', message: 'done', reply: { blocks: [] } } as ApprovalActionResult;
    const runDueScheduled = vi.fn<() => Promise<ApprovalActionResult[]>>().mockResolvedValueOnce([]).mockResolvedValueOnce([executed]);
    const reports: ApprovalActionResult[][] = [];
    const stop = startMaintenanceWindowRuns({ runDueScheduled }, { everyMs: 1000, report: (results) => reports.push(results) });
    await vi.advanceTimersByTimeAsync(2000);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runDueScheduled).toHaveBeenCalledTimes(2);
    expect(reports).toEqual([[executed]]);
  });

  it('skips a tick while the previous run is still going', async () => {
    vi.useFakeTimers();
    let finish: (value: ApprovalActionResult[]) => void = () => undefined;
    const runDueScheduled = vi.fn(() => new Promise<ApprovalActionResult[]>((resolve) => (finish = resolve)));
    const stop = startMaintenanceWindowRuns({ runDueScheduled }, { everyMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(runDueScheduled).toHaveBeenCalledTimes(1);
    finish([]);
    await vi.advanceTimersByTimeAsync(1000);
    stop();
    expect(runDueScheduled).toHaveBeenCalledTimes(2);
  });

  it('keeps going after a failed run, reporting the error', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const runDueScheduled = vi.fn<() => Promise<ApprovalActionResult[]>>().mockRejectedValueOnce(new Error('database down')).mockResolvedValue([]);
    const stop = startMaintenanceWindowRuns({ runDueScheduled }, { everyMs: 1000, onError: (error) => errors.push(error) });
    await vi.advanceTimersByTimeAsync(2000);
    stop();
    expect(errors).toEqual([new Error('database down')]);
    expect(runDueScheduled).toHaveBeenCalledTimes(2);
  });
});
