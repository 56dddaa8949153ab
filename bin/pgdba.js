#!/usr/bin/env node
// Entry point of the `pgdba` binary: the compiled CLI lives in dist/ (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('pgdba is not built yet: run `npm run build` (or `npm ci`, which builds it) in the pgdba folder.');
  process.exit(2);
}
await import(cli.href);
