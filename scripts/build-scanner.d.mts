/** Builds the WebAssembly line scanner if it is missing or stale; returns the path of the built file. */
export function buildScanner(options?: { force?: boolean }): Promise<string>;
