/**
 * Warms the embedded demo before its first question: PGlite starts with cold catalog caches and
 * unoptimised WASM, which made the first health report about five times slower than the next.
 * Reading what the chat's common questions read, once, pays that cost at start-up instead.
 */
import { runHealthReport } from '../inspections/health-report.js';
import { listIndexes } from '../inspections/review.js';
import { readLargestTables } from '../largest-tables.js';
import { readServerOverview } from '../server-overview.js';
import type { TargetDatabase } from '../target-database.js';

export async function warmUpDemo(target: TargetDatabase): Promise<void> {
  // One after the other: PGlite runs a statement at a time anyway.
  await runHealthReport(target);
  await listIndexes(target);
  await readLargestTables(target);
  await readServerOverview(target);
}
