/** What a check is, and how a check says it could not run. */
import type { CheckFamily, CheckOutcome, Finding } from './types.js';
import type { InspectionContext } from './inspection-context.js';

export interface CheckResult {
  findings: Finding[];
  /** A limitation worth telling (e.g. other roles' statements hidden). */
  note?: string;
}

export interface InspectionCheck {
  /** Stable identifier, also the `check` of its findings. */
  name: string;
  family: CheckFamily;
  run(context: InspectionContext): Promise<Finding[] | CheckResult>;
}

/** Thrown by a check that cannot run: missing privilege or missing feature. */
export class CheckNotRun extends Error {
  constructor(
    readonly outcome: Exclude<CheckOutcome, 'ran' | 'failed'>,
    message: string,
    readonly privilege?: string,
  ) {
    super(message);
    this.name = 'CheckNotRun';
  }
}

export const readAllStatsGrant = 'pg_read_all_stats';

/** Stops a check that needs other sessions' details when the role cannot see them. */
export function requireReadAllStats(readAllStats: boolean, role: string, what: string): void {
  if (!readAllStats) {
    throw new CheckNotRun(
      'no_privilege',
      `needs the pg_read_all_stats role (or pg_monitor, or superuser) to see ${what}; run: GRANT pg_read_all_stats TO ${role};`,
      readAllStatsGrant,
    );
  }
}
