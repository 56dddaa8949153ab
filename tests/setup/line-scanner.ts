/**
 * Vitest global setup: builds the log engine's WebAssembly line scanner when it is missing or
 * older than its AssemblyScript source (npm ci builds it; a developer who edits the source need
 * not remember to), so the tests always run the scanner of the source they see.
 */
import { buildScanner } from '../../scripts/build-scanner.mjs';

export default async function setup(): Promise<void> {
  await buildScanner();
}
