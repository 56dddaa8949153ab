/** PGDBA_STORE_URL as it may appear in logs and chat: never the user name or password. */
export function describeStoreUrl(url: string): string {
  if (!URL.canParse(url)) return 'PGDBA_STORE_URL';
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') return parsed.href;
  const database = parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : '';
  return `${parsed.protocol}//${parsed.host}${database}`;
}

/** The password inside a store URL, so it can be scrubbed from anything sent out. */
export function storeUrlPassword(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const password = decodeURIComponent(new URL(url).password);
  return password === '' ? undefined : password;
}
