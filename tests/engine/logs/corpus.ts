/** Where the shared corpus of real PostgreSQL logs lives (see its SOURCES.md). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const candidates = [join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus', 'logs'), '/work/shared/corpus/logs'];
export const corpus = candidates.find((dir) => existsSync(dir)) ?? candidates[1]!;
