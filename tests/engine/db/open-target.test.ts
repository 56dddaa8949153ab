/** Opening the configured target ahead of the first question (pgdba serve's warm-up) on a real server. */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { targetOpener } from '../../../src/engine/db/open-target.js';
import { defaultSessionSettings, TargetDatabase } from '../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

let scratch: ScratchDatabase;
beforeAll(async () => {
  scratch = await createScratchDatabase('pgdba_open_target');
});
afterAll(async () => {
  await scratch?.drop();
});

it('warming up a real server only connects to it: no catalog reads on the DBA\'s database', async () => {
  const opener = targetOpener({ ...defaultSessionSettings, databaseUrl: scratch.url });
  const query = vi.spyOn(TargetDatabase.prototype, 'query');
  try {
    await opener.warmUp();
    expect(query.mock.calls.map(([sql]) => sql)).toEqual(['select 1']);
    const target = await opener.open();
    expect(target.description.embedded).toBe(false);
    expect(query).toHaveBeenCalledTimes(1);
  } finally {
    query.mockRestore();
    await opener.close();
  }
});
