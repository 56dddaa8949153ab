/** Who uses pgdba from this machine's command line, and where the local state is kept. */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Asker } from '../../tools/tool.js';

export function localUser(): Asker {
  const name = userInfo().username;
  return { platform: 'local', id: name, name };
}

/** file: URL of the local state store (approvals, recommendations, conversations) when PGDBA_STORE_URL is unset. */
export function defaultStoreUrl(): string {
  const stateHome = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return pathToFileURL(join(stateHome, 'pgdba', 'store.jsonl')).href;
}
